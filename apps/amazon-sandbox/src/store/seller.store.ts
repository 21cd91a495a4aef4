import { Injectable } from '@nestjs/common';

export interface Seller {
  sellerId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  marketplaceIds: string[];
  createdAt: string;
  /** What the Sellers API answers for the seller; by default every one of its marketplaceIds, participating. */
  participations?: SellerParticipation[];
}

export interface SellerParticipation {
  marketplaceId: string;
  isParticipating: boolean;
  hasSuspendedListings: boolean;
  storeName?: string;
}

/** What the control API shows of a seller: never the secrets. */
export function publicSeller(seller: Seller) {
  return { sellerId: seller.sellerId, clientId: seller.clientId, marketplaceIds: [...seller.marketplaceIds], createdAt: seller.createdAt };
}

@Injectable()
export class SellerStore {
  private readonly sellers = new Map<string, Seller>();

  reset(): void {
    this.sellers.clear();
  }

  upsert(seller: Omit<Seller, 'createdAt' | 'participations'>, now: Date): Seller {
    const existing = this.sellers.get(seller.sellerId);
    const stored: Seller = { ...seller, marketplaceIds: [...seller.marketplaceIds], createdAt: existing?.createdAt ?? now.toISOString(), participations: existing?.participations };
    this.sellers.set(seller.sellerId, stored);
    return stored;
  }

  get(sellerId: string): Seller | undefined {
    return this.sellers.get(sellerId);
  }

  findByRefreshToken(refreshToken: string): Seller | undefined {
    for (const seller of this.sellers.values()) if (seller.refreshToken === refreshToken) return seller;
    return undefined;
  }

  /** The seller's marketplace participations (getMarketplaceParticipations). */
  participations(seller: Seller): SellerParticipation[] {
    return seller.participations ?? seller.marketplaceIds.map((marketplaceId) => ({ marketplaceId, isParticipating: true, hasSuspendedListings: false }));
  }

  setParticipations(sellerId: string, participations: SellerParticipation[]): void {
    const seller = this.sellers.get(sellerId);
    if (seller) seller.participations = participations.map((p) => ({ ...p }));
  }

  all(): Seller[] {
    return [...this.sellers.values()];
  }
}
