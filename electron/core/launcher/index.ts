export { DEFAULT_GESTURE_WINDOW_MS, UserGestureGate, type UserGesture } from './gesture.js';
export {
  createInjectedProbe,
  createPlatformProbe,
  createUnavailableProbe,
  createXdgMimeProbe,
  DEFAULT_PROBE_CACHE_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  parseXdgMimeDefault,
  type HandlerLookup,
  type ProbeProblemCode,
  type SchemeHandlerProbe,
} from './handler-probe.js';
export {
  Launcher,
  type ClipboardWriter,
  toLaunchResult,
  type ExternalOpener,
  type LaunchablePlugin,
  type LaunchChoice,
  type LaunchFailureCode,
  type LauncherOptions,
  type LaunchOutcome,
  type SkippedLink,
} from './launcher.js';
export { openWithXdgOpen, type OpenResult } from './xdg-open.js';
export { runBounded, type BoundedRun } from './run-bounded.js';
