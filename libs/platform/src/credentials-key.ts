import { Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { SecretBox } from './secret-box';

/** Out of the box, so a fresh clone runs; production refuses it. */
export const DEVELOPMENT_CREDENTIALS_KEY = 'local-development-credentials-key';

@ValidatorConstraint({ name: 'credentialsKey' })
class CredentialsKeyConstraint implements ValidatorConstraintInterface {
  private reason = '';
  validate(value: unknown): boolean {
    try {
      new SecretBox(String(value ?? ''));
      return true;
    } catch (err) {
      this.reason = err.message;
      return false;
    }
  }
  defaultMessage(): string {
    return this.reason;
  }
}

/** A CREDENTIALS_KEY setting: keys SecretBox takes (see there). */
export const IsCredentialsKey = () => Validate(CredentialsKeyConstraint);

/** In production: never the development key. */
export function credentialsKeyProblems(value: string): string[] {
  const keys = value.split(',').map((key) => key.trim());
  return keys.includes(DEVELOPMENT_CREDENTIALS_KEY)
    ? ['CREDENTIALS_KEY must be your own key in production, not the development default (openssl rand -base64 32, written as base64:<key>)']
    : [];
}
