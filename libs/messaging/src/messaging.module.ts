import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SERVICE_NAMES, ServiceName } from '@connector/contracts';
import { DataSource } from 'typeorm';
import { EventConsumer, EventConsumerSettings } from './event-consumer';
import { EventStream, EventStreamSettings } from './event-stream';
import { Outbox, OutboxRelay } from './outbox';
import { ParkedEvents, parkedEventsController } from './parked-events';

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
                serviceName: options.serviceName,
                maxDeliveries: options.consumer?.maxDeliveries ?? 8,
                maxBatch: options.consumer?.maxBatch ?? 100,
              },
              discovery,
              scanner,
              reflector,
            ),
        },
        {
          provide: ParkedEvents,
          inject: [DataSource, EventConsumer],
          useFactory: (dataSource: DataSource, consumer: EventConsumer) => new ParkedEvents(dataSource, consumer, options.serviceName),
        },
      ],
      // A connector service answers the gateway's requests about its parked events.
      controllers: (SERVICE_NAMES as readonly string[]).includes(options.serviceName) ? [parkedEventsController(options.serviceName as ServiceName)] : [],
      exports: [EventStream, Outbox, OutboxRelay, EventConsumer, ParkedEvents],
    };
  }
}
