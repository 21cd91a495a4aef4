import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export interface Destination {
  destinationId: string;
  name: string;
  /** The SQS queue's ARN. */
  arn: string;
  /** Destinations belong to the application (its LWA client id) that made them. */
  clientId: string;
}

export interface Subscription {
  subscriptionId: string;
  notificationType: string;
  payloadVersion: string;
  destinationId: string;
  clientId: string;
  sellerId: string;
  createdAtMs: number;
}

/** The Notifications API's state: destinations per application, subscriptions per application, seller and notification type. */
@Injectable()
export class NotificationStore {
  private readonly destinations = new Map<string, Destination>();
  private readonly subscriptions = new Map<string, Subscription>();

  reset(): void {
    this.destinations.clear();
    this.subscriptions.clear();
  }

  destinationsOf(clientId: string): Destination[] {
    return [...this.destinations.values()].filter((d) => d.clientId === clientId);
  }

  destination(destinationId: string): Destination | undefined {
    return this.destinations.get(destinationId);
  }

  createDestination(clientId: string, name: string, arn: string): Destination | 'conflict' {
    // Amazon refuses a second destination of one application for the same resource (409).
    if (this.destinationsOf(clientId).some((d) => d.arn === arn)) return 'conflict';
    const destination = { destinationId: randomUUID(), name, arn, clientId };
    this.destinations.set(destination.destinationId, destination);
    return destination;
  }

  subscription(clientId: string, sellerId: string, notificationType: string): Subscription | undefined {
    return [...this.subscriptions.values()].find((s) => s.clientId === clientId && s.sellerId === sellerId && s.notificationType === notificationType);
  }

  createSubscription(subscription: Omit<Subscription, 'subscriptionId'>): Subscription | 'conflict' {
    if (this.subscription(subscription.clientId, subscription.sellerId, subscription.notificationType)) return 'conflict';
    const created = { ...subscription, subscriptionId: randomUUID() };
    this.subscriptions.set(created.subscriptionId, created);
    return created;
  }

  /** Deletes a subscription of the application (any seller's): false when it has none of that id and type. */
  deleteSubscription(clientId: string, notificationType: string, subscriptionId: string): boolean {
    const found = this.subscriptions.get(subscriptionId);
    if (!found || found.clientId !== clientId || found.notificationType !== notificationType) return false;
    return this.subscriptions.delete(subscriptionId);
  }

  /** Every subscription of a seller to a notification type (one per application). */
  subscribersOf(sellerId: string, notificationType: string): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.sellerId === sellerId && s.notificationType === notificationType);
  }

  allSubscriptions(): Subscription[] {
    return [...this.subscriptions.values()];
  }
}
