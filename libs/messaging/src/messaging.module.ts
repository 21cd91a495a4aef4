import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EventConsumer, EventConsumerSettings } from './event-consumer';
import { EventStream, EventStreamSettings } from './event-stream';
import { Outbox, OutboxRelay } from './outbox';

export interface MessagingOptions extends EventStreamSettings {
  consumer?: Partial<EventConsumerSettings>;
}

/**
 * Durable domain events for one service: the outbox and its relay, and the service's
 * durable consumer that runs its @OnEvent handlers. Needs the service's TypeORM DataSource.
 */
@Module({})
export class MessagingModule {
  static forService(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: EventStream, useValue: new EventStream(options) },
        Outbox,
        OutboxRelay,
        {
          provide: EventConsumer,
          inject: [EventStream, DataSource, DiscoveryService, MetadataScanner, Reflector],
          useFactory: (stream: EventStream, dataSource: DataSource, discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector) =>
            new EventConsumer(
              stream,
              dataSource,
              {
                durableName: options.consumer?.durableName ?? options.serviceName,
                maxDeliveries: options.consumer?.maxDeliveries ?? 8,
                maxBatch: options.consumer?.maxBatch ?? 100,
              },
              discovery,
              scanner,
              reflector,
            ),
        },
      ],
      exports: [EventStream, Outbox, OutboxRelay, EventConsumer],
    };
  }
}
