// The Tools page's own words, from the product's seed text (shared/seed/admin-tools-api-keys.txt).
// Components take their wording from here so the page and its tests say the same thing.

export const TOOLS_INTRO = "These advanced options will be available to all customers in a future release.";

export const ORGANIZATION_TOOL = {
  title: "Organization",
  summary: "Manage how your carrier relates to organizations.",
  why: "Organizations allow you to manage multiple carriers under a single umbrella with shared settings and access controls.",
  create: {
    title: "Create new Organization",
    description: "set up a new organization that can contain multiple carriers",
  },
  attach: {
    title: "Add to existing Organization",
    description: "attach this carrier to an existing organization",
  },
} as const;

export const ENABLEMENTS_TOOL = {
  title: "Enablements",
  summary: "Which product features are on for this carrier, and where each setting comes from.",
} as const;

export const API_KEY_TOOL = {
  title: "API Key Management",
  createTitle: "Create an API key",
  descriptionStep: {
    title: "Add a description",
    help: "Enter a clear description so you know what this key is for.",
    goodExamplesTitle: "Good descriptions:",
    goodExamples: [
      "Production ERP integration",
      "Development testing - John’s team",
      "Warehouse management system sync",
    ],
  },
  securityStep: {
    title: "Configure security",
    help: "Set up security options:",
    allowlist: "IP allowlist — restrict which IP addresses can use this key",
    expiration: "Expiration — set when the key should automatically expire",
    scopes: "Scopes — limit what the key can access (if available)",
  },
} as const;

export const BEST_PRACTICES_TITLE = "API key best practices";
export const BEST_PRACTICES = [
  {
    title: "Use descriptive names",
    text: "Anyone reviewing API keys should understand what each key is for without having to ask.",
  },
  {
    title: "Set expiration dates",
    text: "Keys that don’t expire are a security risk. Set reasonable expiration dates and rotate keys regularly.",
  },
  {
    title: "Use IP allowlists",
    text: "When possible, restrict API keys to specific IP addresses. This limits damage if a key is compromised.",
  },
  {
    title: "Revoke unused keys",
    text: "Regularly audit your API keys and revoke any that are no longer in use.",
  },
  {
    title: "One key per integration",
    text: "Create separate keys for each integration or system. This makes it easier to revoke access without affecting other systems.",
  },
] as const;

export const CONTACT_SUPPORT_TITLE = "When to contact Support";
export const CONTACT_SUPPORT = [
  { title: "Organization changes", text: "Before creating or modifying organization structures" },
  { title: "Feature enablements", text: "If you’re unsure about enabling/disabling features" },
  { title: "API key issues", text: "If you need help with API key configuration" },
  { title: "Cedar employee screens", text: "If you see a warning about restricted functions" },
] as const;

/** Not the seed's: where "contact Support" is now a request inside the page (issue 26). */
export const REQUEST_INSTEAD =
  "For a change only Support may make, use “Request this change” beside it: your reason goes to Support with the change, and the answer appears under Requests.";

/** Beside every staff-only control a non-staff user sees, disabled. */
export const CONTACT_SUPPORT_HINT = "Contact Support if you need this change.";
