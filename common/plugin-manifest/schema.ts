import { z } from 'zod';
import { IDENTITY_FIELD_NAME_REGEX } from './identity.js';
import { identityFieldSchema } from './identity-fields.js';
import { pluginIdSchema } from './plugin-id.js';
import { isExactVersion, isValidRange } from './versions.js';

/** Operating systems as Node's `process.platform` names them. */
export const OPERATING_SYSTEMS = ['linux', 'darwin', 'win32'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export const CAPABILITIES = [
  'presence',
  'chat-deeplink',
  'web-fallback',
  'contacts-import',
  'identity-lookup',
  'oauth2',
  'web-login',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const LAUNCH_KINDS = ['chat', 'web', 'open'] as const;
export type LaunchKind = (typeof LAUNCH_KINDS)[number];

const HOST_PATTERN_REGEX = /^(?:\{instance\}|(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$/;
/** Relative, forward slashes, no `..`: a plugin may only point at files inside its own folder. */
const RELATIVE_FILE_REGEX = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\\:]+$/;

const nonEmpty = (description: string) => z.string().trim().min(1).meta({ description });

const processMatcher = z
  .strictObject({
    name: nonEmpty(
      'Executable base name, e.g. "slack", "Slack", "slack.exe". Compared case-insensitively on darwin and win32.',
    ),
    args: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'Each string must appear in the command line (e.g. to tell a helper from the app).' }),
  })
  .meta({ id: 'PluginProcessMatcher', description: 'One executable that means the app is running.' });

const matcherList = z.array(processMatcher).default([]);

const linkTemplate = z
  .strictObject({
    url: nonEmpty('URL with {placeholders}: {phone}, {phoneDigits} or a field declared in "identity".'),
    needs: z
      .array(z.string().regex(IDENTITY_FIELD_NAME_REGEX, { error: 'must name a field such as "phone" or a declared identity field' }))
      .default([])
      .meta({
        description:
          'Contact fields the url uses; the launcher skips this template when one is missing. A template without needs opens the app or site, not a chat with the person.',
      }),
  })
  .meta({ id: 'PluginLinkTemplate', description: 'One way to open the link; the first whose needs the contact has wins.' });

const alternatives = (description: string) => z.array(linkTemplate).min(1).optional().meta({ description });

const launch = z
  .strictObject({
    chat: alternatives('Native deep links that open a chat with the contact, most specific first.'),
    web: alternatives('https fallbacks when the app is not installed.'),
    open: alternatives('Opens the app without a particular contact.'),
    copy: z
      .strictObject({
        field: z.string().regex(IDENTITY_FIELD_NAME_REGEX).meta({ description: 'The field to put on the clipboard, e.g. "wechatId" or "phone".' }),
      })
      .optional()
      .meta({
        description:
          'For networks without a link to a chat: the click opens the app ("open", or a "web" link without needs) and copies this field of the contact, so the person can paste it into the app\'s search.',
      }),
  })
  .meta({ description: 'Templates the launcher renders when a contact icon is clicked.' });

const oauth2 = z.strictObject({
  type: z.literal('oauth2'),
  authorizationUrl: nonEmpty('https authorization endpoint; may use {instance} for federated networks.'),
  tokenUrl: nonEmpty('https token endpoint.'),
  revocationUrl: nonEmpty('https revocation endpoint (RFC 7009).').optional(),
  scopes: z.array(z.string().min(1)).meta({ description: 'Scopes requested at authorization.' }),
  pkce: z.literal(true).meta({ description: 'Native apps are public clients: PKCE (S256) is mandatory (RFC 8252).' }),
  clientId: nonEmpty('Public client id registered for Switchboard, when the network issues one.').optional(),
  dynamicRegistration: z
    .strictObject({ registrationUrl: nonEmpty('Where a client is registered per server (RFC 7591 or the network\'s own API).') })
    .optional(),
});

const password = z.strictObject({
  type: z.literal('password'),
  loginUrl: nonEmpty('https page with the login form.'),
  recipe: z
    .strictObject({
      usernameSelector: nonEmpty('CSS selector of the user name field.'),
      passwordSelector: nonEmpty('CSS selector of the password field.'),
      submitSelector: nonEmpty('CSS selector of the submit button.'),
    })
    .meta({ description: 'How the login window fills the form; credentials come from the OS keychain.' }),
});

const noAuth = z.strictObject({ type: z.literal('none') });

export const manifestSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'Editor hint; ignored by Switchboard.' }),
    id: pluginIdSchema.meta({ description: 'Lowercase slug; equals the plugin folder name.' }),
    name: nonEmpty('Display name, e.g. "Slack".'),
    names: z
      .record(z.string().regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, { error: 'must be a language tag such as "zh-CN"' }), nonEmpty('Localised name.'))
      .optional()
      .meta({ description: 'The name where a language says it differently, by language tag: { "zh-CN": "微信" }.' }),
    version: z
      .string()
      .refine(isExactVersion, { message: 'must be a semantic version such as "1.0.0"', params: { code: 'bad_semver' } })
      .meta({ description: 'Semantic version of the plugin.' }),
    description: z.string().optional(),
    engines: z.strictObject({
      switchboard: z
        .string()
        .refine(isValidRange, {
          message: 'must be a semver range such as "^0.1.0" or ">=0.1.0 <2"',
          params: { code: 'bad_range' },
        })
        .meta({ description: 'Semver range of Switchboard versions this plugin works with.' }),
    }),
    processes: z
      .strictObject({ linux: matcherList, darwin: matcherList, win32: matcherList })
      .meta({ description: 'Executables per OS; all matches of one plugin count as one running app.' }),
    launch,
    auth: z.discriminatedUnion('type', [oauth2, password, noAuth]),
    identity: z
      .array(identityFieldSchema)
      .max(8)
      .default([])
      .meta({ description: 'The fields of a person\'s identity on this network that the launch templates use, besides the built-in {phone} and {phoneDigits}.' }),
    capabilities: z.array(z.enum(CAPABILITIES)).default([]),
    icon: z
      .string()
      .regex(RELATIVE_FILE_REGEX, { error: 'must be a relative path inside the plugin folder' })
      .regex(/\.(?:[sS][vV][gG]|[pP][nN][gG])$/, { error: 'must be an .svg or .png file' })
      .default('icon.svg'),
    allowedHosts: z
      .array(z.string().regex(HOST_PATTERN_REGEX, { error: 'must be a lowercase host name, "*.domain" or "{instance}"' }))
      .default([])
      .meta({ description: 'Hosts the plugin may reach: its code\'s fetch, its auth endpoints and its https links.' }),
    main: z
      .string()
      .regex(RELATIVE_FILE_REGEX, { error: 'must be a relative path inside the plugin folder' })
      .regex(/\.m?js$/, { error: 'must be a .js or .mjs file' })
      .optional()
      .meta({ description: 'Optional code implementing the adapter interface, run isolated.' }),
  })
  .meta({ title: 'Switchboard plugin manifest' });

export type PluginManifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
export type ProcessMatcher = z.output<typeof processMatcher>;
export type LinkTemplate = z.output<typeof linkTemplate>;
export type PluginAuth = PluginManifest['auth'];
