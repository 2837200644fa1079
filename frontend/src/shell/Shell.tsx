import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { carrierPath, navigate, type Route } from "../app/router";
import { ActivityTab } from "../activity/ActivityTab";
import { ApiKeysTab } from "../apiKeys/ApiKeysTab";
import { EnablementsTab } from "../enablements/EnablementsTab";
import { ToolsPageDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { pageSize, PageLimitsContext, WANTED } from "../limits/pageSize";
import { refusedPageSize, rememberedLimits, rememberLimits } from "../limits/remembered";
import { OrganizationTab } from "../organization/OrganizationTab";
import { RequestsTab } from "../requests/RequestsTab";
import { CONTACT_SUPPORT, CONTACT_SUPPORT_TITLE, REQUEST_INSTEAD, TOOLS_INTRO } from "../text/seed";
import { TimeZonePicker } from "../time/TimeZonePicker";
import { ErrorBoundary } from "../ui/ErrorBoundary";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { CarrierSwitcher } from "./CarrierSwitcher";
import { LiveIndicator } from "./LiveIndicator";
import { RestrictedBanner } from "./RestrictedBanner";
import { panelId, TAB_LABELS, tabId, Tabs } from "./Tabs";
import { ViewerContext } from "./viewer";

interface Props {
  route: Route;
  sessionLabel: string;
  onSignOut: () => void;
}

/** The signed-in page: who you are, which carrier, the restricted-functions banner, and the tools. */
export function Shell({ route, sessionLabel, onSignOut }: Props) {
  const [remembered, setRemembered] = useState(rememberedLimits);
  const [{ data, error, fetching }, reload] = useQuery({
    query: ToolsPageDocument,
    variables: { carrierCount: remembered ? pageSize(WANTED.switcher, remembered) : null },
  });
  // A remembered limit the server has lowered since: forget it and ask for the server's default page.
  if (remembered && !data && refusedPageSize(error)) {
    rememberLimits(null);
    setRemembered(null);
  }
  const viewer = data?.viewer ?? null;
  const limits = data?.limits ?? null;
  useEffect(() => {
    if (limits) rememberLimits(limits);
  }, [limits]);
  const firstCarrier = viewer?.carriers.nodes[0]?.code ?? null;

  useEffect(() => {
    if (route.name === "home" && firstCarrier) navigate(carrierPath(firstCarrier), { replace: true });
  }, [route.name, firstCarrier]);

  const code = route.name === "carrier" ? route.code : null;
  const tab = route.name === "carrier" ? route.tab : "organization";

  return (
    <>
      <header className="top">
        <p className="brand">Admin Portal · Tools</p>
        <div className="who">
          <LiveIndicator />
          <span>
            Signed in as <strong>{viewer?.name ?? sessionLabel}</strong>
            {viewer ? ` (${viewer.isStaff ? "platform staff" : "administrator"})` : null}
          </span>
          <TimeZonePicker />
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <div className="layout">
        <main>
          <h1>Tools{code ? ` for ${code}` : ""}</h1>
          <p className="muted">{TOOLS_INTRO}</p>
          {error && !viewer ? (
            <RequestProblemAlert
              problem={describeRequestError(error)}
              onRetry={() => reload({ requestPolicy: "network-only" })}
            />
          ) : null}
          {!viewer && fetching ? <p role="status">Loading your carriers…</p> : null}
          {viewer && limits ? (
            <PageLimitsContext.Provider value={limits}>
              <ViewerContext.Provider value={viewer}>
                <RestrictedBanner />
                <CarrierSwitcher code={code} tab={tab} />
                {route.name === "notFound" ? <p role="alert">There is no such page. Choose a carrier above.</p> : null}
                {route.name === "home" && !firstCarrier ? (
                  <p role="status">You do not administer any carrier yet. Ask your organization’s administrator or Support.</p>
                ) : null}
                {code ? (
                  <>
                    <Tabs code={code} current={tab} />
                    <section role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)} className="panel-body">
                      <ErrorBoundary where={`the ${TAB_LABELS[tab]} tab`} key={`${code}/${tab}`}>
                        {tab === "organization" ? <OrganizationTab code={code} /> : null}
                        {tab === "enablements" ? <EnablementsTab code={code} /> : null}
                        {tab === "api-keys" ? <ApiKeysTab code={code} /> : null}
                        {tab === "activity" ? <ActivityTab code={code} /> : null}
                        {tab === "requests" ? <RequestsTab code={code} /> : null}
                      </ErrorBoundary>
                    </section>
                  </>
                ) : null}
              </ViewerContext.Provider>
            </PageLimitsContext.Provider>
          ) : null}
        </main>
        <aside className="sidebar" aria-labelledby="support-title">
          <h2 id="support-title">{CONTACT_SUPPORT_TITLE}</h2>
          <dl>
            {CONTACT_SUPPORT.map((item) => (
              <div key={item.title}>
                <dt>{item.title}</dt>
                <dd>{item.text}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">{REQUEST_INSTEAD}</p>
        </aside>
      </div>
    </>
  );
}
