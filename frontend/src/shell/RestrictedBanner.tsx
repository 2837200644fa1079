import { permissionOf } from "../permissions/permissions";
import { CONTACT_SUPPORT, REQUEST_INSTEAD } from "../text/seed";
import { useViewer } from "./viewer";

/** For everyone but staff: the restricted-functions warning, in the API's words and the seed's. */
export function RestrictedBanner() {
  const viewer = useViewer();
  if (viewer.canUseRestrictedFunctions) return null;
  const support = CONTACT_SUPPORT.find((item) => item.title === "Cedar employee screens");
  return (
    <section className="banner" aria-labelledby="restricted-banner-title">
      <h2 id="restricted-banner-title">Restricted functions</h2>
      <p>{viewer.restrictedFunctionsNotice}</p>
      {support ? (
        <p className="muted">
          When to contact Support: {support.text.charAt(0).toLowerCase() + support.text.slice(1)}.
        </p>
      ) : null}
      {permissionOf(viewer.permissions, "requestChange").allowed ? <p>{REQUEST_INSTEAD}</p> : null}
    </section>
  );
}
