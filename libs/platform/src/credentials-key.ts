import { ValidateBy } from 'class-validator';
import { SecretBox } from './secret-box';

/** Out of the box, so a fresh clone runs; production refuses it. */
export const DEVELOPMENT_CREDENTIALS_KEY = 'local-development-credentials-key';
/** The key the gateway seals secrets with for order-ingestion, out of the box; production refuses it. */
export const DEVELOPMENT_TRANSIT_KEY = 'local-development-credentials-transit-key';
/** The default of compose files before this version: public, so refused in production too. */
const FORMER_COMPOSE_DEFAULT = 'change-me-to-a-long-random-secret';

/**
 * A setting checked by a function that throws with the reason when the value is wrong (the
 * reason becomes the start-up error's words).
 */
export function CheckedBy(name: string, check: (value: string) => unknown): PropertyDecorator {
  const reasons = new WeakMap<object, string>();
  return ValidateBy({
    name,
    validator: {
      validate: (value, args) => {
        try {
          check(String(value ?? ''));
          return true;
        } catch (err) {
          reasons.set(args!.object, err.message);
          return false;
        }
      },
      defaultMessage: (args) => reasons.get(args!.object) ?? `${args!.property} is not valid`,
    },
  });
}

/** A CREDENTIALS_KEY setting: keys SecretBox takes (see there). */
export const IsCredentialsKey = () => CheckedBy('credentialsKey', (value) => new SecretBox(value));

/**
 * In production: never a development or published key to seal with. Behind the first, such a
 * key may stay while rotating away from it (it only opens what was sealed before).
 */
export function credentialsKeyProblems(value: string, setting = 'CREDENTIALS_KEY', alsoRefused: string[] = []): string[] {
  const [sealing] = value.split(',').map((key) => key.trim());
  return [DEVELOPMENT_CREDENTIALS_KEY, DEVELOPMENT_TRANSIT_KEY, FORMER_COMPOSE_DEFAULT, ...alsoRefused].includes(sealing)
    ? [`${setting} must be your own key in production, not a development or published default (openssl rand -base64 32, written as base64:<key>); an old one may follow it while rotating`]
    : [];
}
