import type { Area, ErrorCode, ProbeErrorInfo } from './model.js';

/** Root of the doctor's own errors: a fixed `code` that tests assert on, never the message text. */
export class DoctorError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad flags, files, certificates or kubeconfigs: one clear line on stderr and exit 2. */
export class UsageError extends DoctorError {
  constructor(message: string, code: ErrorCode = 'DOCTOR_USAGE', options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A probe failed at a named layer. Serialised into Facts with `toInfo()`. */
export class ProbeError extends DoctorError {
  readonly layer: Area;
  readonly detail?: Record<string, string | number | boolean | null>;
  constructor(
    layer: Area,
    code: ErrorCode,
    message: string,
    detail?: Record<string, string | number | boolean | null>,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.layer = layer;
    this.detail = detail;
  }
  toInfo(): ProbeErrorInfo {
    return { code: this.code, layer: this.layer, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/** The deadline of one probe passed. Each phase has its own code (connect, handshake, response). */
export class ProbeTimeoutError extends ProbeError {
  /** `code` overrides the derived `<LAYER>_<PHASE>_TIMEOUT` where a layer has a single phase (DNS_TIMEOUT). */
  constructor(layer: Area, phase: string, ms: number, code?: ErrorCode) {
    super(layer, code ?? (`${layer.toUpperCase() as Uppercase<Area>}_${phase.toUpperCase()}_TIMEOUT` as const), `no ${phase} within ${ms} ms`, { phase, ms });
  }
}
