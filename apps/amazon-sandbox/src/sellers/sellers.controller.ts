import { Controller, Get, Req } from '@nestjs/common';
import { findMarketplace } from '../store/marketplaces';
import { SellerStore } from '../store/seller.store';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';

/** Marketplaces the sandbox's generator does not sell in, that a seller may still take part in (Amazon lists them too). */
export const PARTICIPATION_ONLY_MARKETPLACES = [
  { id: 'A2NODRKZP88ZB9', name: 'Amazon.se', countryCode: 'SE', defaultCurrencyCode: 'SEK', defaultLanguageCode: 'sv_SE', domainName: 'www.amazon.se' },
  { id: 'A1C3SOZRARQ6R3', name: 'Amazon.pl', countryCode: 'PL', defaultCurrencyCode: 'PLN', defaultLanguageCode: 'pl_PL', domainName: 'www.amazon.pl' },
  { id: 'AMEN7PMS3EDWL', name: 'Amazon.com.be', countryCode: 'BE', defaultCurrencyCode: 'EUR', defaultLanguageCode: 'fr_BE', domainName: 'www.amazon.com.be' },
] as const;

const LANGUAGES: Record<string, string> = { CA: 'en_CA', MX: 'es_MX', US: 'en_US', DE: 'de_DE', ES: 'es_ES', FR: 'fr_FR', GB: 'en_GB', IT: 'it_IT', NL: 'nl_NL' };

/** Amazon's `Marketplace` of the Sellers API for a marketplace id the sandbox knows. */
export function sellersMarketplace(marketplaceId: string) {
  const known = findMarketplace(marketplaceId);
  if (known) {
    return {
      id: known.marketplaceId,
      name: known.name,
      countryCode: known.countryCode,
      defaultCurrencyCode: known.currencyCode,
      defaultLanguageCode: LANGUAGES[known.countryCode] ?? 'en_US',
      domainName: `www.${known.domain}`,
    };
  }
  const other = PARTICIPATION_ONLY_MARKETPLACES.find((m) => m.id === marketplaceId);
  return other ? { ...other } : undefined;
}

/** Sellers API v1: getMarketplaceParticipations (0.016 rps, burst 15, per seller). */
@Controller('sellers/v1')
export class SellersController {
  constructor(private readonly sellers: SellerStore) {}

  @Get('marketplaceParticipations')
  @SpApiOperationName('getMarketplaceParticipations')
  participations(@Req() req: SpApiRequest) {
    const seller = this.sellers.get(req.sellerId);
    const payload = (seller ? this.sellers.participations(seller) : []).flatMap((p) => {
      const marketplace = sellersMarketplace(p.marketplaceId);
      if (!marketplace) return [];
      return [{ marketplace, storeName: p.storeName ?? `Store ${req.sellerId}`, participation: { isParticipating: p.isParticipating, hasSuspendedListings: p.hasSuspendedListings } }];
    });
    return { payload };
  }
}
