import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { EventBatchContext, EventContext, EventHandlerMetadata, ON_EVENT } from './on-event.decorator';

/** An @OnEvent method of a provider, found at start-up. */
export type EventHandler = EventHandlerMetadata & {
  run: (payload: object | object[], context: EventContext | EventBatchContext) => Promise<void>;
  /** The properties its payload class declares: all it gets of an event, and all that is checked. */
  declared: Set<string>;
};

/** The service's @OnEvent handlers, by subject. */
export function discoverEventHandlers(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector): Map<string, EventHandler[]> {
  const handlers = new Map<string, EventHandler[]>();
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance);
    for (const method of scanner.getAllMethodNames(prototype)) {
      const meta = reflector.get<EventHandlerMetadata>(ON_EVENT, prototype[method]);
      if (!meta) continue;
      const list = handlers.get(meta.subject) ?? [];
      // An event is parsed once for all its handlers, so they must read it through one class.
      if (list.length && list[0].payloadClass !== meta.payloadClass) {
        throw new Error(`handlers of ${meta.subject} declare different payload classes (${list[0].payloadClass.name}, ${meta.payloadClass.name}); use one`);
      }
      list.push({
        ...meta,
        run: (payload, context) => (instance[method] as Function).call(instance, payload, context),
        declared: list[0]?.declared ?? new Set(getMetadataStorage().getTargetValidationMetadatas(meta.payloadClass, '', true, false).map((m) => m.propertyName)),
      });
      handlers.set(meta.subject, list);
    }
  }
  return handlers;
}
