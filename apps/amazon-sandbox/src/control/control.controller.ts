import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put, Query, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApplicationStore } from '../authorization/application.store';
import { FeedService } from '../feeds/feed.service';
import { feedView } from '../feeds/feeds.controller';
import { generateBatch, GeneratedBatch } from '../generator/order-generator';
import { orderView } from '../orders/order-view';
import { ShipmentLog } from '../orders/shipment-log';
import { CallStatsService } from '../sp-api/call-stats.service';
import { FaultService } from '../sp-api/fault.service';
import { OrderStore } from '../store/order.store';
import { Order } from '../store/order.types';
import { SandboxClock } from '../store/sandbox-clock';
import { publicSeller, SellerStore } from '../store/seller.store';
import { BuyerCancelRequestDto, ClockDto, ExplicitOrderDto, FaultDto, GenerateOrdersDto, MoveStatusDto, ParticipationsDto, ShipOutsideDto, UpsertApplicationDto, UpsertSellerDto } from './control.dto';
import { OrderLifecycleService } from './order-lifecycle.service';
import { SandboxResetService } from './sandbox-reset.service';

const MINUTE = 60_000;
const validate = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true });

/** The /_sandbox control API: seeds sellers and orders, moves time and orders, shows what clients sent. */
@Controller('_sandbox')
export class ControlController {
  constructor(
    private readonly sellers: SellerStore,
    private readonly orders: OrderStore,
    private readonly clock: SandboxClock,
    private readonly lifecycle: OrderLifecycleService,
    private readonly shipments: ShipmentLog,
    private readonly stats: CallStatsService,
    private readonly faults: FaultService,
    private readonly resetter: SandboxResetService,
    private readonly feeds: FeedService,
    private readonly applications: ApplicationStore,
  ) {}

  /** Registers (or replaces) an SP-API application, as Developer Central would; its client secret is never shown. */
  @Post('applications')
  @UsePipes(validate)
  upsertApplication(@Body() dto: UpsertApplicationDto) {
    const { clientSecret: _secret, ...shown } = this.applications.upsert({ ...dto, draft: dto.draft ?? true });
    return shown;
  }

  @Get('applications')
  listApplications() {
    return { applications: this.applications.all().map(({ clientSecret: _secret, ...shown }) => shown) };
  }

  /** The refresh tokens sellers' consents gave applications (who and when, never the tokens). */
  @Get('grants')
  listGrants(@Query('sellerId') sellerId?: string) {
    return { grants: this.applications.grantsOf(sellerId) };
  }

  @Get('sellers/:sellerId/participations')
  participations(@Param('sellerId') sellerId: string) {
    return { participations: this.sellers.participations(this.seller(sellerId)) };
  }

  /** Replaces what getMarketplaceParticipations answers for the seller. */
  @Put('sellers/:sellerId/participations')
  @UsePipes(validate)
  setParticipations(@Param('sellerId') sellerId: string, @Body() dto: ParticipationsDto) {
    this.seller(sellerId);
    this.sellers.setParticipations(
      sellerId,
      dto.participations.map((p) => ({ marketplaceId: p.marketplaceId, isParticipating: p.isParticipating, hasSuspendedListings: p.hasSuspendedListings ?? false, ...(p.storeName ? { storeName: p.storeName } : {}) })),
    );
    return this.participations(sellerId);
  }

  @Post('sellers')
  @UsePipes(validate)
  upsertSeller(@Body() dto: UpsertSellerDto) {
    return publicSeller(this.sellers.upsert(dto, this.clock.now()));
  }

  @Get('sellers')
  listSellers() {
    return { sellers: this.sellers.all().map(publicSeller) };
  }

  private seller(sellerId: string) {
    const seller = this.sellers.get(sellerId);
    if (!seller) throw new NotFoundException(`Seller ${sellerId} not found`);
    return seller;
  }

  @Post('sellers/:sellerId/orders/generate')
  @HttpCode(201)
  @UsePipes(validate)
  generate(@Param('sellerId') sellerId: string, @Body() dto: GenerateOrdersDto) {
    const seller = this.seller(sellerId);
    const nowMs = this.clock.nowMs();
    const marketplaceIds = dto.marketplaceIds ?? seller.marketplaceIds;
    const createdToMs = dto.createdTo ? Date.parse(dto.createdTo) : nowMs - 10 * MINUTE;
    const createdFromMs = dto.createdFrom ? Date.parse(dto.createdFrom) : nowMs - 7 * 24 * 60 * MINUTE;
    if (createdFromMs > createdToMs) throw new BadRequestException(['createdFrom must not be after createdTo']);
    const seed = dto.seed ?? String(Math.floor(Math.random() * 2 ** 31));
    let generated: GeneratedBatch;
    try {
      generated = generateBatch({ sellerId, count: dto.count, seed, marketplaceIds, fulfilledBy: dto.fulfilledBy ?? 'MIXED', statuses: dto.statuses, createdFromMs, createdToMs, nowMs, orderIdPrefix: dto.orderIdPrefix });
    } catch (err) {
      throw new BadRequestException([(err as Error).message]);
    }
    this.orders.addGenerated(sellerId, generated);
    return { seed, orderIds: generated.orderIds };
  }

  @Post('sellers/:sellerId/orders')
  createOrder(@Param('sellerId') sellerId: string, @Body(new ValidationPipe({ transform: false, whitelist: false })) body: ExplicitOrderDto) {
    this.seller(sellerId);
    // Stored exactly as given (the DTO only checked what the sandbox relies on).
    const order = structuredClone(body) as unknown as Order;
    this.orders.upsert(sellerId, order);
    return orderView(order, 'ALL');
  }

  @Get('sellers/:sellerId/orders')
  listOrders(@Param('sellerId') sellerId: string) {
    this.seller(sellerId);
    return {
      orders: this.orders.listForSeller(sellerId).map((order) => ({
        orderId: order.orderId,
        marketplaceId: order.marketplaceId,
        fulfilledBy: order.fulfilledBy,
        fulfillmentStatus: order.fulfillmentStatus,
        createdTime: order.createdTime,
        lastUpdatedTime: order.lastUpdatedTime,
      })),
    };
  }

  @Get('orders/:orderId')
  getOrder(@Param('orderId') orderId: string) {
    const stored = this.orders.read(orderId);
    if (!stored) throw new NotFoundException(`Order ${orderId} not found`);
    return { sellerId: stored.sellerId, order: stored.order };
  }

  @Post('orders/:orderId/status')
  @HttpCode(200)
  @UsePipes(validate)
  moveStatus(@Param('orderId') orderId: string, @Body() dto: MoveStatusDto) {
    return { order: this.lifecycle.move(orderId, dto.status, dto.cancelledBy, dto.cancelReason) };
  }

  /** As Seller Central or Buy Shipping would: shipped at Amazon, no confirmShipment (GET shipments does not list it). */
  @Post('orders/:orderId/ship-outside')
  @HttpCode(200)
  @UsePipes(validate)
  shipOutside(@Param('orderId') orderId: string, @Body() dto: ShipOutsideDto) {
    return { order: this.lifecycle.shipOutside(orderId, dto.items, dto.carrier, dto.trackingNumber) };
  }

  /** As a buyer would in their Amazon account: a cancellation request on the items (Orders v0: BuyerRequestedCancel). */
  @Post('orders/:orderId/buyer-cancel-request')
  @HttpCode(200)
  @UsePipes(validate)
  requestCancellation(@Param('orderId') orderId: string, @Body() dto: BuyerCancelRequestDto) {
    return { order: this.lifecycle.buyerCancelRequest(orderId, dto.reason, dto.orderItemIds) };
  }

  /** The buyer's request withdrawn: the items carry none any more. */
  @Delete('orders/:orderId/buyer-cancel-request')
  @HttpCode(200)
  withdrawCancellation(@Param('orderId') orderId: string) {
    return { order: this.lifecycle.withdrawBuyerCancelRequest(orderId) };
  }

  @Get('clock')
  getClock() {
    return { now: this.clock.now().toISOString(), timeScale: this.clock.timeScale, rateLimits: this.clock.rateLimitsEnabled };
  }

  @Post('clock')
  @HttpCode(200)
  @UsePipes(validate)
  setClock(@Body() dto: ClockDto) {
    if (dto.advanceSeconds !== undefined) this.clock.advance(dto.advanceSeconds);
    if (dto.timeScale !== undefined) this.clock.timeScale = dto.timeScale;
    if (dto.rateLimits !== undefined) this.clock.rateLimitsEnabled = dto.rateLimits;
    return this.getClock();
  }

  @Get('shipments')
  listShipments(@Query('sellerId') sellerId?: string, @Query('orderId') orderId?: string) {
    return { shipments: this.shipments.find({ sellerId, orderId }) };
  }

  @Get('feeds')
  listFeeds(@Query('sellerId') sellerId?: string) {
    return {
      feeds: this.feeds.list(sellerId).map((f) => ({
        ...feedView(f),
        sellerId: f.sellerId,
        inputFeedDocumentId: f.inputFeedDocumentId,
        content: this.feeds.getDocument(f.inputFeedDocumentId)?.content?.toString('utf8') ?? null,
        messages: f.messages,
        results: f.results,
        summary: f.summary ?? null,
      })),
    };
  }

  @Get('calls')
  calls(@Query('sellerId') sellerId?: string) {
    return { sellerId: sellerId ?? null, operations: this.stats.snapshot(sellerId) };
  }

  @Post('faults')
  @HttpCode(201)
  @UsePipes(validate)
  addFault(@Body() dto: FaultDto) {
    const rule = this.faults.add(dto);
    return { rule: rule ?? null, ...this.faults.list() };
  }

  @Get('faults')
  listFaults() {
    return this.faults.list();
  }

  @Delete('faults')
  @HttpCode(200)
  clearFaults() {
    this.faults.reset();
    return this.faults.list();
  }

  /** Ends one fault (e.g. Amazon back for one seller while the others' outage goes on). */
  @Delete('faults/:id')
  @HttpCode(200)
  removeFault(@Param('id') id: string) {
    if (!/^\d+$/.test(id) || !this.faults.remove(Number(id))) throw new NotFoundException(`no fault rule ${id}`);
    return this.faults.list();
  }

  @Post('reset')
  @HttpCode(200)
  reset() {
    this.resetter.reset();
    return { reset: true };
  }
}
