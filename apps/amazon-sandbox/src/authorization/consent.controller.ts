import { Controller, Get, HttpException, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SellerStore } from '../store/seller.store';
import { ApplicationStore } from './application.store';

function consentError(error: string, description: string): HttpException {
  return new HttpException({ error, error_description: description }, 400);
}

/**
 * Seller Central's consent page of the website authorization workflow
 * (`/apps/authorize/consent?application_id=…&state=…&version=beta[&redirect_uri=…]`). There is no
 * seller to click "Confirm" here: it approves at once for the seller named by `sandbox_seller_id`
 * (a sandbox-only parameter), or the sandbox's only seller, and redirects the browser to the
 * app's redirect URI with `state`, `selling_partner_id` and `spapi_oauth_code`, as Amazon does.
 */
@Controller('apps/authorize')
export class ConsentController {
  constructor(
    private readonly applications: ApplicationStore,
    private readonly sellers: SellerStore,
  ) {}

  @Get('consent')
  consent(@Query() query: Record<string, unknown>, @Res() res: Response): void {
    const param = (name: string) => (typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined);
    const applicationId = param('application_id');
    if (!applicationId) throw consentError('invalid_request', 'The request is missing a required parameter : application_id');
    const application = this.applications.get(applicationId);
    if (!application) throw consentError('invalid_request', `Unknown application: ${applicationId}`);
    const state = param('state');
    if (!state) throw consentError('invalid_request', 'The request is missing a required parameter : state');
    if (application.draft && param('version') !== 'beta') throw consentError('invalid_request', 'A draft application is authorized only with version=beta');
    const redirectUri = param('redirect_uri') ?? application.redirectUris[0];
    if (!redirectUri || !application.redirectUris.includes(redirectUri)) {
      throw consentError('invalid_request', 'redirect_uri is not one of the application\'s OAuth redirect URIs');
    }
    const sellerId = param('sandbox_seller_id') ?? this.soleSeller();
    if (!this.sellers.get(sellerId)) throw consentError('invalid_request', `Unknown seller: ${sellerId}`);
    const code = this.applications.issueCode(application.applicationId, sellerId, redirectUri);
    const target = new URL(redirectUri);
    target.searchParams.set('state', state);
    target.searchParams.set('selling_partner_id', sellerId);
    target.searchParams.set('spapi_oauth_code', code);
    res.redirect(302, target.toString());
  }

  private soleSeller(): string {
    const all = this.sellers.all();
    if (all.length !== 1) throw consentError('invalid_request', 'Several sellers: name the one who consents with sandbox_seller_id');
    return all[0].sellerId;
  }
}
