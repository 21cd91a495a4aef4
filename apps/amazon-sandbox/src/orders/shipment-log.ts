import { Injectable } from '@nestjs/common';

export interface ShipmentRecord {
  sellerId: string;
  orderId: string;
  marketplaceId: string;
  packageReferenceId: string;
  /** The package as last confirmed. */
  packageDetail: Record<string, unknown>;
  firstReceivedAt: string;
  receivedAt: string;
  /** How many accepted confirmShipment calls named this package. */
  count: number;
}

/** The shipment confirmations the sandbox accepted, for tests to inspect. */
@Injectable()
export class ShipmentLog {
  private readonly records = new Map<string, ShipmentRecord>();

  reset(): void {
    this.records.clear();
  }

  record(sellerId: string, orderId: string, marketplaceId: string, packageDetail: Record<string, unknown>, at: Date): void {
    const packageReferenceId = String(packageDetail.packageReferenceId);
    const key = `${orderId}\u0000${packageReferenceId}`;
    const existing = this.records.get(key);
    this.records.set(key, {
      sellerId,
      orderId,
      marketplaceId,
      packageReferenceId,
      packageDetail: structuredClone(packageDetail),
      firstReceivedAt: existing?.firstReceivedAt ?? at.toISOString(),
      receivedAt: at.toISOString(),
      count: (existing?.count ?? 0) + 1,
    });
  }

  find(filter: { sellerId?: string; orderId?: string }): ShipmentRecord[] {
    return [...this.records.values()].filter((r) => (!filter.sellerId || r.sellerId === filter.sellerId) && (!filter.orderId || r.orderId === filter.orderId));
  }
}
