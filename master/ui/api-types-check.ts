// Compile-time proof that the UI's API types (api-types.ts) match what the server sends. Nothing
// here runs: a mismatch fails `tsc`, naming the type that drifted.
import type { buildToApi, requestToApi } from '../api/to-api.js';
import type { MasterEvent } from '../event-bus.js';
import type { ForwarderState } from '../smee/smee-forwarder.js';
import type { JunitSummary } from '../report/junit-summary.js';
import type { ImageFamilyReport } from '../../shared/protocol.js';
import type { OutboxRow } from '../store/status-store.js';
import type { PublicationRow } from '../store/publication-store.js';
import type { DeliveryRow } from '../store/delivery-store.js';
import type { StepRow } from '../store/step-store.js';
import type { ApiBuild, ApiBuildRequest, ApiDelivery, ApiStep, ApiBuildStatus, ApiEvent, ApiForwarderState, ApiImageFamily, ApiJunit, ApiLogsPublication } from './api-types.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Fits<A, B> = [A] extends [B] ? true : false;
/** The event stream sends builds through buildToApi; everything else as it is. */
type WireEvent = Exclude<MasterEvent, { type: 'build' }> | { type: 'build'; build: ReturnType<typeof buildToApi> };

export type ApiTypesMatch = [
  Same<ReturnType<typeof buildToApi>, ApiBuild>,
  // One way only: requestToApi's parameter intersects RequestRow with BuildRow, so its `state`
  // narrows to 'queued' in the types though every RequestState is sent.
  Fits<ReturnType<typeof requestToApi>, ApiBuildRequest>,
  Same<WireEvent, ApiEvent>,
  Same<ForwarderState, ApiForwarderState>,
  Same<JunitSummary, Omit<ApiJunit, 'files'>>,
  // Workers' image reports are stored and served as the worker sent them.
  Same<ImageFamilyReport, ApiImageFamily>,
  // A build's reporting is its outbox and publication rows, less the keys the API leaves out.
  Same<Omit<OutboxRow, 'id' | 'build_id' | 'repo' | 'sha' | 'target_url'>, ApiBuildStatus>,
  Same<Omit<PublicationRow, 'build_id'>, ApiLogsPublication>,
  // Deliveries and steps are listed as they are stored.
  Same<DeliveryRow, ApiDelivery>,
  Same<StepRow, ApiStep>,
];
export const apiTypesMatch: ApiTypesMatch = [true, true, true, true, true, true, true, true, true, true];
