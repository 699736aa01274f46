/** The plugin API version this build of Switchboard implements; manifests state a range over it. */
export const SWITCHBOARD_ENGINE_VERSION = '0.1.0';
