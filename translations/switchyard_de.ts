<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ChainWarnings</name>
    <message>
        <source>The chain is empty: every request to this lane will fail.</source>
        <translation>Die Kette ist leer: Jede Anfrage an diese Lane schlägt fehl.</translation>
    </message>
    <message>
        <source>Unknown route &apos;%1&apos;.</source>
        <translation>Unbekannte Route „%1“.</translation>
    </message>
    <message>
        <source>%1 cannot honour %2 of %3: such requests skip it.</source>
        <translation>%1 kann %2 von %3 nicht erfüllen: Solche Anfragen überspringen sie.</translation>
    </message>
    <message>
        <source>%1 has a smaller context window (%2 tokens) than %3 (%4).</source>
        <translation>%1 hat ein kleineres Kontextfenster (%2 Token) als %3 (%4).</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>%1 costs %2× as much as %3 per token.</source>
        <translation>%1 kostet pro Token %2-mal so viel wie %3.</translation>
    </message>
</context>
<context>
    <name>IncidentReport</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>Betreiber</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <source>Requests: %1</source>
        <translation>Anfragen: %1</translation>
    </message>
    <message>
        <source>Errors callers saw: %1 (%2)</source>
        <translation>Fehler bei den Aufrufern: %1 (%2)</translation>
    </message>
    <message>
        <source>Answered by fallback: %1 (%2); by a degraded route: %3; in panic mode: %4</source>
        <translation>Durch Ausweichen beantwortet: %1 (%2); von einer Notfallroute: %3; im Panikmodus: %4</translation>
    </message>
    <message>
        <source>Spend: %1, of which on fallback routes %2; %3 more than the first choices would have cost</source>
        <translation>Ausgaben: %1, davon auf Ausweichrouten %2; %3 mehr, als die erste Wahl gekostet hätte</translation>
    </message>
    <message>
        <source>State changes: %1; operator actions: %2</source>
        <translation>Zustandswechsel: %1; Eingriffe von Betreibern: %2</translation>
    </message>
    <message>
        <source>Plain successes are written to the store only as a sample (traces.success_sample_ratio): request counts, shares and spend are estimated from the successes kept, each counted for those it stands for. Failures, fallbacks and retries are all counted.</source>
        <translation>Einfache Erfolge werden nur als Stichprobe gespeichert (traces.success_sample_ratio): Anfragezahlen, Anteile und Ausgaben sind aus den gespeicherten Erfolgen geschätzt, von denen jeder so oft zählt, wie viele Anfragen er vertritt. Fehler, Ausweichen und Wiederholungen werden vollständig gezählt.</translation>
    </message>
    <message>
        <source>More than %1 requests started in this range: the figures cover the first %1.</source>
        <translation>In diesem Zeitraum begannen mehr als %1 Anfragen: Die Zahlen decken die ersten %1 ab.</translation>
    </message>
    <message>
        <source>Lanes</source>
        <translation>Lanes</translation>
    </message>
    <message>
        <source>No requests in this range.</source>
        <translation>Keine Anfragen in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Lane</source>
        <translation>Lane</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Fell back</source>
        <translation>Ausgewichen</translation>
    </message>
    <message>
        <source>Spend</source>
        <translation>Ausgaben</translation>
    </message>
    <message>
        <source>Extra cost of fallback</source>
        <translation>Mehrkosten durch Ausweichen</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Zeitleiste</translation>
    </message>
    <message>
        <source>No route changed state in this range.</source>
        <translation>Keine Route hat in diesem Zeitraum ihren Zustand gewechselt.</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Zeit (UTC)</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Wechsel</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Durch</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>(configuration)</source>
        <translation>(Konfiguration)</translation>
    </message>
    <message>
        <source>(fleet)</source>
        <translation>(Verbund)</translation>
    </message>
    <message>
        <source>%1 later changes are left out.</source>
        <translation>%1 spätere Wechsel sind ausgelassen.</translation>
    </message>
    <message>
        <source>Top reasons for failed attempts</source>
        <translation>Häufigste Gründe gescheiterter Versuche</translation>
    </message>
    <message>
        <source>No attempt failed.</source>
        <translation>Kein Versuch ist gescheitert.</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <source>Errors callers saw</source>
        <translation>Fehler bei den Aufrufern</translation>
    </message>
    <message>
        <source>Every caller got its answer.</source>
        <translation>Jeder Aufrufer hat seine Antwort bekommen.</translation>
    </message>
    <message>
        <source>The first %1 of %2.</source>
        <translation>Die ersten %1 von %2.</translation>
    </message>
    <message>
        <source>Request id</source>
        <translation>Anfrage-ID</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Incident report: %1 – %2 UTC (%3)</source>
        <translation>Störungsbericht: %1 – %2 UTC (%3)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Switchyard</source>
        <translation>Switchyard</translation>
    </message>
    <message>
        <source>%1 has errors, so the gateway did not start:

%2</source>
        <translation>%1 enthält Fehler, daher wurde das Gateway nicht gestartet:

%2</translation>
    </message>
    <message>
        <source>The gateway did not start: %1</source>
        <translation>Das Gateway wurde nicht gestartet: %1</translation>
    </message>
    <message>
        <source>A Switchyard gateway already runs on %1 (the service, perhaps). Show that gateway in the console?</source>
        <translation>Auf %1 läuft bereits ein Switchyard-Gateway (vielleicht der Dienst). Dieses Gateway in der Konsole anzeigen?</translation>
    </message>
    <message>
        <source>must be http://HOST:PORT or https://HOST:PORT</source>
        <translation>muss http://HOST:PORT oder https://HOST:PORT sein</translation>
    </message>
    <message>
        <source>plain http is for this machine only; reach a gateway elsewhere through an SSH tunnel (see the README) or over https</source>
        <translation>unverschlüsseltes http nur für diesen Rechner; ein Gateway anderswo über einen SSH-Tunnel (siehe README) oder über https erreichen</translation>
    </message>
</context>
<context>
    <name>Switchyard::BodiesPanel</name>
    <message>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <source>… cut here: %1 of %2 bytes kept (capture.max_bytes)</source>
        <extracomment>%1 bytes kept of %2</extracomment>
        <translation>… hier abgeschnitten: %1 von %2 Bytes behalten (capture.max_bytes)</translation>
    </message>
    <message>
        <source>&amp;Replay on…</source>
        <translation>&amp;Wiederholen auf …</translation>
    </message>
    <message>
        <source>Send this request again to a route you choose, and compare the answers</source>
        <translation>Diese Anfrage erneut an eine gewählte Route senden und die Antworten vergleichen</translation>
    </message>
    <message>
        <source>Bodies:</source>
        <translation>Inhalte:</translation>
    </message>
    <message>
        <source>Select a request to see what was sent.</source>
        <translation>Eine Anfrage auswählen, um zu sehen, was gesendet wurde.</translation>
    </message>
    <message>
        <source>Reading the bodies…</source>
        <translation>Inhalte werden gelesen …</translation>
    </message>
    <message>
        <source>Cannot be replayed: %1</source>
        <translation>Kann nicht wiederholt werden: %1</translation>
    </message>
    <message>
        <source>The bodies could not be read: %1</source>
        <translation>Die Inhalte konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>No bodies were kept of this request. Body capture is off; &quot;capture&quot;: {&quot;bodies&quot;: &quot;errors&quot;} in the configuration keeps those of requests that fail.</source>
        <translation>Von dieser Anfrage wurden keine Inhalte behalten. Die Inhaltsaufzeichnung ist aus; &quot;capture&quot;: {&quot;bodies&quot;: &quot;errors&quot;} in der Konfiguration behält die von Anfragen, die scheitern.</translation>
    </message>
    <message>
        <source>No bodies were kept of this request (older than the capture&apos;s retention, or before capture was on).</source>
        <translation>Von dieser Anfrage wurden keine Inhalte behalten (älter als die Aufbewahrungsdauer oder vor dem Einschalten der Aufzeichnung).</translation>
    </message>
    <message>
        <source>Caller&apos;s request (%1)</source>
        <translation>Anfrage des Aufrufers (%1)</translation>
    </message>
    <message>
        <source>#%1 %2: sent, compared with the caller&apos;s</source>
        <extracomment>%1: attempt number; %2: route</extracomment>
        <translation>#%1 %2: gesendet, verglichen mit der des Aufrufers</translation>
    </message>
    <message>
        <source>#%1 %2: sent as it went</source>
        <translation>#%1 %2: gesendet, wie sie ging</translation>
    </message>
    <message>
        <source>#%1 %2: answer, HTTP %3</source>
        <translation>#%1 %2: Antwort, HTTP %3</translation>
    </message>
    <message>
        <source>#%1 %2: answer (none came)</source>
        <translation>#%1 %2: Antwort (keine kam)</translation>
    </message>
    <message>
        <source>No bodies were kept of this request: capture keeps only those of requests with a failed attempt or an error, for %1 h.</source>
        <translation>Von dieser Anfrage wurden keine Inhalte behalten: Die Aufzeichnung behält nur die von Anfragen mit einem gescheiterten Versuch oder einem Fehler, %1 h lang.</translation>
    </message>
    <message>
        <source>… %1 more bytes kept, not shown here (GET /admin/traces/ID/bodies has them all)</source>
        <translation>… %1 weitere Bytes behalten, hier nicht gezeigt (GET /admin/traces/ID/bodies enthält alle)</translation>
    </message>
</context>
<context>
    <name>Switchyard::BreakerState</name>
    <message>
        <source>Closed</source>
        <comment>breaker state: traffic flows</comment>
        <translation>Geschlossen</translation>
    </message>
    <message>
        <source>Open</source>
        <comment>breaker state: no traffic</comment>
        <translation>Offen</translation>
    </message>
    <message>
        <source>Half-open</source>
        <translation>Halboffen</translation>
    </message>
    <message>
        <source>Recovering</source>
        <translation>Erholt sich</translation>
    </message>
    <message>
        <source>Drained</source>
        <translation>Abgezogen</translation>
    </message>
    <message>
        <source>Drilling</source>
        <translation>In Übung</translation>
    </message>
</context>
<context>
    <name>Switchyard::CaptureNotice</name>
    <message>
        <source>of every request</source>
        <translation>jeder Anfrage</translation>
    </message>
    <message>
        <source>of requests with a failed attempt or an error</source>
        <translation>von Anfragen mit einem gescheiterten Versuch oder einem Fehler</translation>
    </message>
    <message>
        <source>● Capturing all bodies</source>
        <extracomment>status bar: request bodies are being kept</extracomment>
        <translation>● Alle Inhalte werden aufgezeichnet</translation>
    </message>
    <message>
        <source>● Capturing error bodies</source>
        <translation>● Inhalte von Fehlern werden aufgezeichnet</translation>
    </message>
    <message>
        <source>Body capture is on: the bodies %1 are kept for %2 h, up to %3 bytes each, with keys and credentials blanked (capture in the configuration).</source>
        <extracomment>%1: which requests; %2: hours; %3: bytes</extracomment>
        <translation>Die Inhaltsaufzeichnung ist an: Die Inhalte %1 werden %2 h lang behalten, bis zu %3 Bytes je Inhalt, Schlüssel und Zugangsdaten geschwärzt (capture in der Konfiguration).</translation>
    </message>
</context>
<context>
    <name>Switchyard::SamplingNotice</name>
    <message>
        <source>Only %1 of the requests answered at the first try are written to the trace store; every failure, retry and fallback is written (traces.success_sample_ratio in the configuration). The most recent requests are listed either way.</source>
        <extracomment>%1: a percentage such as 10%</extracomment>
        <translation>Nur %1 der beim ersten Versuch beantworteten Anfragen werden in den Trace-Speicher geschrieben; jeder Fehler, jede Wiederholung und jedes Ausweichen wird geschrieben (traces.success_sample_ratio in der Konfiguration). Die neuesten Anfragen werden in jedem Fall aufgeführt.</translation>
    </message>
</context>
<context>
    <name>Switchyard::ChainModel</name>
    <message>
        <source>plain chat</source>
        <translation>einfacher Chat</translation>
    </message>
    <message>
        <source>%1 context</source>
        <translation>%1 Kontext</translation>
    </message>
    <message>
        <source>$%1 / $%2 per MTok</source>
        <translation>$%1 / $%2 je MTok</translation>
    </message>
    <message>
        <source>no price set</source>
        <translation>kein Preis gesetzt</translation>
    </message>
    <message>
        <source>not in the configuration</source>
        <translation>nicht in der Konfiguration</translation>
    </message>
    <message>
        <source>Drag to reorder; drop a route from the list on the right to add it</source>
        <translation>Ziehen zum Umordnen; eine Route aus der Liste rechts hier ablegen, um sie hinzuzufügen</translation>
    </message>
    <message>
        <source>Drag into the chain to add it there</source>
        <translation>In die Kette ziehen, um sie dort hinzuzufügen</translation>
    </message>
</context>
<context>
    <name>Switchyard::ChainPreviewModel</name>
    <message>
        <source>plain chat</source>
        <translation>einfacher Chat</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>gescheitert</translation>
    </message>
    <message>
        <source>no route</source>
        <translation>keine Route</translation>
    </message>
    <message>
        <source>%1 (degraded)</source>
        <translation>%1 (Notfallroute)</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Needed</source>
        <translation>Benötigt</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Served then</source>
        <translation>Damals bedient von</translation>
    </message>
    <message>
        <source>Would be served by</source>
        <translation>Würde bedient von</translation>
    </message>
    <message>
        <source>Skipped, and why</source>
        <translation>Übersprungen, und warum</translation>
    </message>
    <message>
        <source>Cost then</source>
        <translation>Kosten damals</translation>
    </message>
    <message>
        <source>Would cost</source>
        <translation>Würde kosten</translation>
    </message>
    <message>
        <source>No recent request of this lane to try the chain on.</source>
        <translation>Keine jüngste Anfrage dieser Lane, an der die Kette erprobt werden kann.</translation>
    </message>
    <message>
        <source>Of the last %1 requests, %2 would be served by another route and %3 by none; they would cost %4 instead of %5.</source>
        <translation>Von den letzten %1 Anfragen würden %2 von einer anderen Route bedient und %3 von keiner; sie würden %4 statt %5 kosten.</translation>
    </message>
</context>
<context>
    <name>Switchyard::ConnectDialog</name>
    <message>
        <source>&amp;Keep the token in the keychain for this gateway</source>
        <translation>Token für dieses Gateway im Schlüsselbund &amp;behalten</translation>
    </message>
    <message>
        <source>Connect to Gateway</source>
        <translation>Mit Gateway verbinden</translation>
    </message>
    <message>
        <source>http://HOST:PORT for a gateway on this machine or behind an SSH tunnel; https://HOST:PORT for one elsewhere</source>
        <translation>http://HOST:PORT für ein Gateway auf diesem Rechner oder hinter einem SSH-Tunnel; https://HOST:PORT für eines anderswo</translation>
    </message>
    <message>
        <source>Leave empty to use the one already known</source>
        <translation>Leer lassen, um das bereits bekannte zu verwenden</translation>
    </message>
    <message>
        <source>Known already: SWITCHYARD_ADMIN_TOKEN, the token of a gateway this user runs on this machine, or the one kept in the keychain</source>
        <translation>Bereits bekannt: SWITCHYARD_ADMIN_TOKEN, das Token eines Gateways, das dieser Benutzer auf diesem Rechner betreibt, oder das im Schlüsselbund gespeicherte</translation>
    </message>
    <message>
        <source>&amp;Gateway:</source>
        <translation>&amp;Gateway:</translation>
    </message>
    <message>
        <source>Admin &amp;token:</source>
        <translation>Admin-&amp;Token:</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>Switchyard::CostSeriesModel</name>
    <message>
        <source>caused by fallback</source>
        <translation>durch Ausweichen verursacht</translation>
    </message>
</context>
<context>
    <name>Switchyard::CostView</name>
    <message>
        <source>Last 15 minutes</source>
        <translation>Letzte 15 Minuten</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Spend per route (USD)</source>
        <translation>Ausgaben je Route (USD)</translation>
    </message>
    <message>
        <source>Range:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message>
        <source>caused by fallback</source>
        <translation>durch Ausweichen verursacht</translation>
    </message>
    <message>
        <source>USD per %1 min</source>
        <translation>USD je %1 min</translation>
    </message>
    <message>
        <source>Total in range: $%1 · of which caused by fallback: $%2 · %3</source>
        <translation>Summe im Zeitraum: $%1 · davon durch Ausweichen: $%2 · %3</translation>
    </message>
    <message>
        <source>no spend yet</source>
        <translation>noch keine Ausgaben</translation>
    </message>
    <message>
        <source>Tokens in range: %1 prompt (%2 read from the prompt cache, %3 written to it) · %4 output</source>
        <translation>Tokens im Zeitraum: %1 Prompt (%2 aus dem Prompt-Cache gelesen, %3 hineingeschrieben) · %4 Ausgabe</translation>
    </message>
</context>
<context>
    <name>Switchyard::DrillDialog</name>
    <message>
        <source>Drill %1</source>
        <translation>Übung für %1</translation>
    </message>
    <message>
        <source>HTTP 503 Service Unavailable</source>
        <translation>HTTP 503 Dienst nicht verfügbar</translation>
    </message>
    <message>
        <source>HTTP 429 Too Many Requests</source>
        <translation>HTTP 429 Zu viele Anfragen</translation>
    </message>
    <message>
        <source>Timeout</source>
        <translation>Zeitüberschreitung</translation>
    </message>
    <message>
        <source>Connection refused</source>
        <translation>Verbindung abgelehnt</translation>
    </message>
    <message>
        <source>Malformed body</source>
        <translation>Fehlerhafter Antworttext</translation>
    </message>
    <message>
        <source> s</source>
        <comment>seconds</comment>
        <translation> s</translation>
    </message>
    <message>
        <source>Start drill</source>
        <translation>Übung starten</translation>
    </message>
    <message>
        <source>Requests to %1 fail with the chosen fault, without calling it, so you can watch the lanes fall back. Afterwards the route returns to automatic.</source>
        <translation>Anfragen an %1 scheitern mit dem gewählten Fehler, ohne sie aufzurufen, damit Sie das Ausweichen der Lanes beobachten können. Danach kehrt die Route in den Automatikbetrieb zurück.</translation>
    </message>
    <message>
        <source>Fault:</source>
        <translation>Fehler:</translation>
    </message>
    <message>
        <source>For:</source>
        <translation>Dauer:</translation>
    </message>
</context>
<context>
    <name>Switchyard::EventListModel</name>
    <message>
        <source>operator</source>
        <translation>Betreiber</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <source>From</source>
        <comment>previous breaker state</comment>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <comment>new breaker state</comment>
        <translation>Nach</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Durch</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>(configuration)</source>
        <translation>(Konfiguration)</translation>
    </message>
    <message>
        <source>(fleet)</source>
        <translation>(Verbund)</translation>
    </message>
</context>
<context>
    <name>Switchyard::EventsView</name>
    <message>
        <source>Filter by route, state, operator or reason…</source>
        <translation>Nach Route, Zustand, Betreiber oder Grund filtern …</translation>
    </message>
</context>
<context>
    <name>Switchyard::FleetMemberModel</name>
    <message>
        <source>Silent since %1</source>
        <translation>Still seit %1</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Not ready: no route for %1</source>
        <extracomment>%1: the lanes (comma-separated) where this instance has no route it would try</extracomment>
        <translation>Nicht bereit: keine Route für %1</translation>
    </message>
    <message>
        <source>no routes</source>
        <translation>keine Routen</translation>
    </message>
    <message>
        <source>Not heard from for more than ten seconds: stopped, or cut off from Redis.</source>
        <translation>Seit mehr als zehn Sekunden nichts gehört: beendet oder von Redis abgeschnitten.</translation>
    </message>
    <message>
        <source>%1 (this one)</source>
        <extracomment>the fleet&apos;s instance this console is attached to, or runs</extracomment>
        <translation>%1 (diese)</translation>
    </message>
    <message>
        <source>%1 (waiting)</source>
        <extracomment>a fleet instance&apos;s answer to an operator action has not come yet</extracomment>
        <translation>%1 (wartet)</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>Instanz</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Routes</source>
        <translation>Routen</translation>
    </message>
    <message>
        <source>Spent today</source>
        <translation>Heute ausgegeben</translation>
    </message>
    <message>
        <source>Last heard</source>
        <translation>Zuletzt gehört</translation>
    </message>
    <message>
        <source>Latest action</source>
        <translation>Letzte Aktion</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
</context>
<context>
    <name>Switchyard::FleetRouteModel</name>
    <message>
        <source>%1 on %2: %3</source>
        <extracomment>%1: a route, %2: a fleet instance, %3: the route&apos;s state there</extracomment>
        <translation>%1 auf %2: %3</translation>
    </message>
    <message>
        <source>%1 has no route %2</source>
        <translation>%1 hat keine Route %2</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Route</translation>
    </message>
</context>
<context>
    <name>Switchyard::FleetView</name>
    <message>
        <source>Instances</source>
        <translation>Instanzen</translation>
    </message>
    <message>
        <source>Route states on each instance</source>
        <translation>Routenzustände auf jeder Instanz</translation>
    </message>
    <message>
        <source>⚠ Redis is unreachable (%1). This instance serves on its own state; the others are not shown until Redis is back.</source>
        <translation>⚠ Redis ist nicht erreichbar (%1). Diese Instanz arbeitet mit ihrem eigenen Zustand; die anderen werden erst wieder angezeigt, wenn Redis zurück ist.</translation>
    </message>
    <message numerus="yes">
        <source>Instance %1 shares its state with the fleet through Redis. %n instance(s) alive, %2 ready. Route actions taken here apply to every instance; each one&apos;s answer is under Latest action.</source>
        <extracomment>%1: this instance&apos;s name; %n: instances heard from; %2: how many of them are ready</extracomment>
        <translation>
            <numerusform>Instanz %1 teilt ihren Zustand über Redis mit dem Verbund. %n Instanz lebt, %2 bereit. Routenaktionen von hier gelten für jede Instanz; die Antwort jeder steht unter „Letzte Aktion“.</numerusform>
            <numerusform>Instanz %1 teilt ihren Zustand über Redis mit dem Verbund. %n Instanzen leben, %2 bereit. Routenaktionen von hier gelten für jede Instanz; die Antwort jeder steht unter „Letzte Aktion“.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Switchyard::GatewayWindows</name>
    <message>
        <source>No admin token for %1 was found (looked at: %2). Type it in File ▸ Connect to Gateway…, set SWITCHYARD_ADMIN_TOKEN, or store it with `switchyard keys set %3`.</source>
        <translation>Für %1 wurde kein Admin-Token gefunden (gesucht in: %2). Geben Sie es unter Datei ▸ Mit Gateway verbinden… ein, setzen Sie SWITCHYARD_ADMIN_TOKEN oder speichern Sie es mit `switchyard keys set %3`.</translation>
    </message>
    <message>
        <source>Switchyard — %1</source>
        <translation>Switchyard — %1</translation>
    </message>
    <message>
        <source>Attached, but the token was not kept in the keychain: %1</source>
        <translation>Verbunden, aber das Token wurde nicht im Schlüsselbund gespeichert: %1</translation>
    </message>
</context>
<context>
    <name>Switchyard::HistoryView</name>
    <message>
        <source>Not known</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>▼ panic request</source>
        <translation>▼ Anfrage im Panikmodus</translation>
    </message>
    <message>
        <source>A request sent to this route while every breaker was open</source>
        <translation>Eine Anfrage an diese Route, während jeder Schutzschalter offen war</translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation>Letzte 15 Minuten</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>Last 6 hours</source>
        <translation>Letzte 6 Stunden</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Events of the moment</source>
        <translation>Ereignisse des Zeitpunkts</translation>
    </message>
    <message>
        <source>Requests of the moment</source>
        <translation>Anfragen des Zeitpunkts</translation>
    </message>
    <message>
        <source>Double-click a request to see its attempts in Traces</source>
        <translation>Doppelklick auf eine Anfrage zeigt ihre Versuche unter Traces</translation>
    </message>
    <message>
        <source>Click a moment in the chart to list its events and requests.</source>
        <translation>Klicken Sie auf einen Zeitpunkt im Diagramm, um seine Ereignisse und Anfragen aufzulisten.</translation>
    </message>
    <message>
        <source>Range:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message numerus="yes">
        <source>%1 – %2: %n event(s), and %3 request(s) of those this console holds.</source>
        <translation>
            <numerusform>%1 – %2: %n Ereignis und %3 der Anfragen, die diese Konsole vorhält.</numerusform>
            <numerusform>%1 – %2: %n Ereignisse und %3 der Anfragen, die diese Konsole vorhält.</numerusform>
        </translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>Letzte 5 Minuten</translation>
    </message>
</context>
<context>
    <name>Switchyard::IncidentDialog</name>
    <message>
        <source>Incident Report</source>
        <translation>Störungsbericht</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>&amp;Show Range</source>
        <translation>Zeitraum &amp;zeigen</translation>
    </message>
    <message>
        <source>The report of the range above</source>
        <translation>Der Bericht über den Zeitraum oben</translation>
    </message>
    <message>
        <source>&amp;Latest Incident</source>
        <translation>&amp;Letzte Störung</translation>
    </message>
    <message>
        <source>From a minute before the first breaker of the latest incident opened, to now</source>
        <translation>Von einer Minute, bevor der erste Schutzschalter der letzten Störung öffnete, bis jetzt</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Bis:</translation>
    </message>
    <message>
        <source>Save as &amp;Markdown…</source>
        <translation>Als &amp;Markdown speichern …</translation>
    </message>
    <message>
        <source>Save as &amp;HTML…</source>
        <translation>Als &amp;HTML speichern …</translation>
    </message>
    <message>
        <source>Save as &amp;PDF…</source>
        <translation>Als &amp;PDF speichern …</translation>
    </message>
    <message>
        <source>The range ends before it starts.</source>
        <translation>Der Zeitraum endet, bevor er beginnt.</translation>
    </message>
    <message>
        <source>Reading the gateway&apos;s traces…</source>
        <translation>Die Traces des Gateways werden gelesen …</translation>
    </message>
    <message>
        <source>The gateway did not give the report: %1</source>
        <translation>Das Gateway hat den Bericht nicht geliefert: %1</translation>
    </message>
    <message>
        <source>Times are UTC. The report covers the gateway&apos;s stored traces and events of this range.</source>
        <translation>Zeiten in UTC. Der Bericht umfasst die gespeicherten Traces und Ereignisse des Gateways in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>Save Incident Report</source>
        <translation>Störungsbericht speichern</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>Gespeichert in %1</translation>
    </message>
    <message>
        <source>There is no report to save yet.</source>
        <translation>Es gibt noch keinen Bericht zum Speichern.</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>%1 konnte nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>Switchyard::KeyTableModel</name>
    <message numerus="yes">
        <source>%n s</source>
        <extracomment>A rate-limited key&apos;s rest that remains, in seconds.</extracomment>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Read from</source>
        <translation>Gelesen aus</translation>
    </message>
    <message>
        <source>Its share of the conversations, relative to the pool&apos;s other keys</source>
        <translation>Sein Anteil an den Gesprächen, im Verhältnis zu den anderen Schlüsseln des Pools</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>How long a rate-limited key still rests</source>
        <translation>Wie lange ein ratenbegrenzter Schlüssel noch pausiert</translation>
    </message>
    <message>
        <source>Rests for</source>
        <translation>Pausiert noch</translation>
    </message>
    <message>
        <source>Calls sent with it since the gateway started</source>
        <translation>Aufrufe mit ihm seit dem Start des Gateways</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>Aufrufe</translation>
    </message>
    <message>
        <source>Answers of 429 it got</source>
        <translation>Erhaltene Antworten 429</translation>
    </message>
    <message>
        <source>Rate-limited</source>
        <translation>Ratenbegrenzt</translation>
    </message>
    <message>
        <source>Answers of 401 or 403 it got</source>
        <translation>Erhaltene Antworten 401 oder 403</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
</context>
<context>
    <name>Switchyard::LaneHealthModel</name>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>half-open (trial calls only)</source>
        <translation>halb offen (nur Probeaufrufe)</translation>
    </message>
    <message>
        <source>drained</source>
        <translation>abgezogen</translation>
    </message>
    <message>
        <source>in a drill</source>
        <translation>in einer Übung</translation>
    </message>
    <message>
        <source>misconfigured</source>
        <translation>falsch konfiguriert</translation>
    </message>
    <message>
        <source>rate-limited</source>
        <translation>ratenbegrenzt</translation>
    </message>
    <message>
        <source>%1 is %2</source>
        <extracomment>a route and why it cannot serve, &quot;gpt-4o is open&quot;</extracomment>
        <translation>%1 ist %2</translation>
    </message>
    <message>
        <source>Healthy</source>
        <extracomment>a lane served by its primary route</extracomment>
        <translation>Gesund</translation>
    </message>
    <message>
        <source>Falling back</source>
        <extracomment>a lane served by a later route of its chain</extracomment>
        <translation>Weicht aus</translation>
    </message>
    <message>
        <source>Degraded</source>
        <extracomment>a lane served only by its degraded (last resort) route</extracomment>
        <translation>Notroute</translation>
    </message>
    <message>
        <source>No route</source>
        <extracomment>a lane that nothing can serve</extracomment>
        <translation>Keine Route</translation>
    </message>
    <message>
        <source>Served by its primary, %1.</source>
        <translation>Von ihrer primären Route %1 bedient.</translation>
    </message>
    <message>
        <source>%1 is recovering and takes %2% of traffic; nothing else can take the rest.</source>
        <translation>%1 erholt sich und übernimmt %2 % des Verkehrs; den Rest kann nichts anderes übernehmen.</translation>
    </message>
    <message>
        <source>%1 is recovering and takes %2% of traffic; the rest goes to %3.</source>
        <translation>%1 erholt sich und übernimmt %2 % des Verkehrs; der Rest geht an %3.</translation>
    </message>
    <message>
        <source>%1; traffic goes to %2</source>
        <translation>%1; der Verkehr geht an %2</translation>
    </message>
    <message>
        <source> at %1× the primary&apos;s price</source>
        <translation> zum %1-fachen Preis der primären Route</translation>
    </message>
    <message>
        <source>No route of the chain can serve (%1); the degraded route %2 answers.</source>
        <translation>Keine Route der Kette kann bedienen (%1); die Notfallroute %2 antwortet.</translation>
    </message>
    <message>
        <source>Nothing can serve this lane (%1): requests fail, or go to the route whose cooldown ends soonest.</source>
        <translation>Nichts kann diese Lane bedienen (%1): Anfragen scheitern oder gehen an die Route, deren Abkühlzeit am frühesten endet.</translation>
    </message>
    <message numerus="yes">
        <source>Of the lane&apos;s requests that ended in the last %n minute(s): those answered by a route other than their first choice.</source>
        <translation>
            <numerusform>Von den Anfragen der Lane, die in der letzten Minute endeten: die von einer anderen Route als ihrer ersten Wahl beantworteten.</numerusform>
            <numerusform>Von den Anfragen der Lane, die in den letzten %n Minuten endeten: die von einer anderen Route als ihrer ersten Wahl beantworteten.</numerusform>
        </translation>
    </message>
    <message>
        <source>The serving route&apos;s price against the primary&apos;s, for this lane&apos;s recent mix of prompt and answer tokens.</source>
        <translation>Der Preis der bedienenden Route im Verhältnis zu dem der primären, für die jüngste Mischung aus Prompt- und Antwort-Tokens dieser Lane.</translation>
    </message>
    <message>
        <source>Spent by fallback in the last hour beyond what each request&apos;s first choice would have cost for the same tokens.</source>
        <translation>In der letzten Stunde durch Ausweichen mehr ausgegeben, als die erste Wahl jeder Anfrage für dieselben Tokens gekostet hätte.</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <source>start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>%1% of %2</source>
        <translation>%1 % von %2</translation>
    </message>
    <message>
        <source>Lane</source>
        <translation>Lane</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Served by</source>
        <translation>Bedient von</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <source>Fell back (5 min)</source>
        <translation>Ausgewichen (5 min)</translation>
    </message>
    <message>
        <source>× primary&apos;s price</source>
        <extracomment>the serving route&apos;s price as a multiple of the primary&apos;s</extracomment>
        <translation>× Preis der primären</translation>
    </message>
    <message>
        <source>Extra cost (1 h)</source>
        <translation>Mehrkosten (1 h)</translation>
    </message>
    <message>
        <source>What is happening</source>
        <translation>Was geschieht</translation>
    </message>
    <message>
        <source>%1 of its last %2 requests fell back.</source>
        <translation>%1 ihrer letzten %2 Anfragen wichen aus.</translation>
    </message>
    <message>
        <source>%1 of its last %2 requests failed.</source>
        <translation>%1 ihrer letzten %2 Anfragen scheiterten.</translation>
    </message>
</context>
<context>
    <name>Switchyard::LaneHealthView</name>
    <message>
        <source>Lane health</source>
        <translation>Zustand der Lanes</translation>
    </message>
    <message>
        <source>&lt;b&gt;Lanes&lt;/b&gt; — who serves each one now</source>
        <translation>&lt;b&gt;Lanes&lt;/b&gt; — wer jede gerade bedient</translation>
    </message>
</context>
<context>
    <name>Switchyard::LanesView</name>
    <message>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Fallback chain</source>
        <translation>Ausweichkette</translation>
    </message>
    <message>
        <source>Routes</source>
        <translation>Routen</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>Nach unten</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>← Add to chain</source>
        <translation>← Zur Kette hinzufügen</translation>
    </message>
    <message>
        <source>Alt+Up</source>
        <translation>Alt+Up</translation>
    </message>
    <message>
        <source>Alt+Down</source>
        <translation>Alt+Down</translation>
    </message>
    <message>
        <source>Lane:</source>
        <translation>Lane:</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Warnungen</translation>
    </message>
    <message>
        <source>(none: fail when the chain fails)</source>
        <translation>(keine: scheitern, wenn die Kette scheitert)</translation>
    </message>
    <message>
        <source>Saved in %1</source>
        <translation>Gespeichert in %1</translation>
    </message>
    <message>
        <source>Demo configuration: Apply changes the running gateway only.</source>
        <translation>Demo-Konfiguration: Übernehmen ändert nur das laufende Gateway.</translation>
    </message>
    <message>
        <source>Unapplied changes.</source>
        <translation>Nicht übernommene Änderungen.</translation>
    </message>
    <message>
        <source>Every fallback can honour what the first route does.</source>
        <translation>Jede Ausweichroute kann leisten, was die erste Route leistet.</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>Nicht übernommen: %1</translation>
    </message>
    <message>
        <source>Applied and saved.</source>
        <translation>Übernommen und gespeichert.</translation>
    </message>
    <message>
        <source>Applied to the running gateway.</source>
        <translation>Auf das laufende Gateway angewendet.</translation>
    </message>
    <message>
        <source>The file on disk is not valid; the running configuration stays: %1</source>
        <translation>Die Datei auf der Festplatte ist ungültig; die laufende Konfiguration bleibt: %1</translation>
    </message>
    <message>
        <source>Reloaded the file after an external change.</source>
        <translation>Die Datei wurde nach einer Änderung von außen neu geladen.</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Wird angewendet …</translation>
    </message>
    <message>
        <source>The file changed on disk and now runs. Revert to load it (your edits will be lost), or Apply them over it.</source>
        <translation>Die Datei wurde auf der Festplatte geändert und läuft jetzt. „Verwerfen“ lädt sie (Ihre Änderungen gehen verloren), „Übernehmen“ legt Ihre Änderungen darüber.</translation>
    </message>
    <message>
        <source>Applied; the edits made since are not applied yet.</source>
        <translation>Übernommen; die seither gemachten Änderungen sind noch nicht übernommen.</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>no cap</source>
        <translation>keine Obergrenze</translation>
    </message>
    <message>
        <source>Off: the caller gets the error</source>
        <translation>Aus: der Aufrufer erhält den Fehler</translation>
    </message>
    <message>
        <source>Prefill: the next route continues the text</source>
        <translation>Prefill: die nächste Route setzt den Text fort</translation>
    </message>
    <message>
        <source>Restart: the next route answers anew</source>
        <translation>Neustart: die nächste Route antwortet neu</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>Fallback chain (tried top to bottom; drag to reorder)</source>
        <translation>Ausweichkette (von oben nach unten versucht; ziehen zum Umordnen)</translation>
    </message>
    <message>
        <source>Degraded route (last resort, when the whole chain fails):</source>
        <translation>Notfallroute (letzter Ausweg, wenn die ganze Kette scheitert):</translation>
    </message>
    <message>
        <source>Routes (drag into the chain)</source>
        <translation>Routen (in die Kette ziehen)</translation>
    </message>
    <message>
        <source>Lane settings</source>
        <translation>Lane-Einstellungen</translation>
    </message>
    <message>
        <source>Retries per route:</source>
        <translation>Wiederholungen je Route:</translation>
    </message>
    <message>
        <source>Deadline:</source>
        <translation>Frist:</translation>
    </message>
    <message>
        <source>Budget per day:</source>
        <translation>Budget pro Tag:</translation>
    </message>
    <message>
        <source>A stream that breaks:</source>
        <translation>Ein abbrechender Stream:</translation>
    </message>
    <message>
        <source>Hedge after:</source>
        <translation>Absichern nach:</translation>
    </message>
    <message>
        <source>What if: the edited chain on this lane&apos;s recent requests, with the routes as they are now</source>
        <translation>Was wäre, wenn: die bearbeitete Kette mit den jüngsten Anfragen dieser Lane, bei den Routen, wie sie jetzt sind</translation>
    </message>
    <message>
        <source>Policy fallbacks: none (a refusal by a provider&apos;s policy goes to the caller).</source>
        <translation>Richtlinien-Ausweichrouten: keine (eine Ablehnung durch die Richtlinie eines Anbieters geht an den Aufrufer).</translation>
    </message>
    <message>
        <source>Policy fallbacks (tried only when a provider refuses on policy): %1</source>
        <translation>Richtlinien-Ausweichrouten (nur versucht, wenn ein Anbieter aus Richtliniengründen ablehnt): %1</translation>
    </message>
</context>
<context>
    <name>Switchyard::MainWindow</name>
    <message>
        <source>Switchyard — demo</source>
        <translation>Switchyard — Demo</translation>
    </message>
    <message>
        <source>Switchyard</source>
        <translation>Switchyard</translation>
    </message>
    <message>
        <source>&amp;Routes</source>
        <translation>&amp;Routen</translation>
    </message>
    <message>
        <source>&amp;Lanes</source>
        <translation>&amp;Lanes</translation>
    </message>
    <message>
        <source>&amp;Traces</source>
        <translation>&amp;Verläufe</translation>
    </message>
    <message>
        <source>&amp;Cost</source>
        <translation>&amp;Kosten</translation>
    </message>
    <message>
        <source>&amp;Events</source>
        <translation>&amp;Ereignisse</translation>
    </message>
    <message>
        <source>&amp;Providers</source>
        <translation>&amp;Anbieter</translation>
    </message>
    <message>
        <source>Demo: simulated providers with a scripted incident, and built-in traffic. Nothing leaves this machine and no API key is needed. Watch gpt-4o degrade, open, fall back and recover in stages.</source>
        <translation>Demo: simulierte Anbieter mit einem geskripteten Störfall und eingebautem Verkehr. Nichts verlässt diesen Rechner, und kein API-Schlüssel ist nötig. Sehen Sie zu, wie gpt-4o nachlässt, öffnet, ausweicht und sich stufenweise erholt.</translation>
    </message>
    <message>
        <source>Use my own configuration</source>
        <translation>Eigene Konfiguration verwenden</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>startet …</translation>
    </message>
    <message>
        <source>Listening on http://%1/v1</source>
        <translation>Lauscht auf http://%1/v1</translation>
    </message>
    <message>
        <source>Lane %1 runs degraded</source>
        <translation>Lane %1 läuft im Notbetrieb</translation>
    </message>
    <message>
        <source>Every route of its chain failed; %1 answered instead.</source>
        <translation>Jede Route ihrer Kette ist gescheitert; stattdessen hat %1 geantwortet.</translation>
    </message>
    <message>
        <source>Breaker of %1 opened</source>
        <translation>Schutzschalter von %1 geöffnet</translation>
    </message>
    <message>
        <source>%1 req/s</source>
        <translation>%1 Anfr./s</translation>
    </message>
    <message>
        <source>errors: –</source>
        <translation>Fehler: –</translation>
    </message>
    <message>
        <source>errors: %1% (1 min)</source>
        <translation>Fehler: %1 % (1 min)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Switchyard</source>
        <translation>Ü&amp;ber Switchyard</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>the built-in demo (not saved)</source>
        <translation>die eingebaute Demo (nicht gespeichert)</translation>
    </message>
    <message>
        <source>About Switchyard</source>
        <translation>Über Switchyard</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Switchyard %1&lt;/h3&gt;&lt;p&gt;An OpenAI-compatible LLM gateway with explicit fallback chains, and its operations console.&lt;/p&gt;&lt;p&gt;Running on Qt %2.&lt;/p&gt;&lt;p&gt;Configuration: %3&lt;br&gt;Traces, events and spend: %4&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Switchyard %1&lt;/h3&gt;&lt;p&gt;Ein OpenAI-kompatibles LLM-Gateway mit ausdrücklichen Ausweichketten und seine Betriebskonsole.&lt;/p&gt;&lt;p&gt;Läuft mit Qt %2.&lt;/p&gt;&lt;p&gt;Konfiguration: %3&lt;br&gt;Verläufe, Ereignisse und Ausgaben: %4&lt;/p&gt;</translation>
    </message>
    <message>
        <source>⚠ Traces are not being saved</source>
        <extracomment>status bar, while the trace database cannot be written (a full disk, say)</extracomment>
        <translation>⚠ Traces werden nicht gespeichert</translation>
    </message>
    <message>
        <source>Connected to the gateway at %1</source>
        <translation>Mit dem Gateway unter %1 verbunden</translation>
    </message>
    <message>
        <source>⚠ Disconnected since %1 — reconnecting</source>
        <extracomment>status bar of a console attached to a gateway that cannot be reached; %1 is a time</extracomment>
        <translation>⚠ Getrennt seit %1 — verbinde neu</translation>
    </message>
    <message>
        <source>⚠ Fleet: Redis unreachable — serving on this instance&apos;s state</source>
        <extracomment>status bar: the fleet&apos;s shared state (Redis) cannot be reached</extracomment>
        <translation>⚠ Verbund: Redis nicht erreichbar — diese Instanz arbeitet mit eigenem Zustand</translation>
    </message>
    <message numerus="yes">
        <source>Fleet: %n instance(s)</source>
        <extracomment>status bar: this gateway shares its state with others; %n is how many are alive</extracomment>
        <translation>
            <numerusform>Verbund: %n Instanz</numerusform>
            <numerusform>Verbund: %n Instanzen</numerusform>
        </translation>
    </message>
    <message>
        <source>This instance: %1
Alive: %2</source>
        <translation>Diese Instanz: %1
Erreichbar: %2</translation>
    </message>
    <message>
        <source>&amp;Fleet</source>
        <translation>&amp;Verbund</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Connect to Gateway…</source>
        <translation>Mit Gateway &amp;verbinden…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Open a window on a gateway that runs elsewhere: a service, or another machine</source>
        <translation>Ein Fenster für ein Gateway öffnen, das anderswo läuft: ein Dienst oder ein anderer Rechner</translation>
    </message>
    <message>
        <source>&amp;Close Window</source>
        <translation>Fenster &amp;schließen</translation>
    </message>
    <message numerus="yes">
        <source>%n in panic mode</source>
        <extracomment>status bar: requests sent to a route whose breaker was open, every other being held back</extracomment>
        <translation>
            <numerusform>%n im Panikmodus</numerusform>
            <numerusform>%n im Panikmodus</numerusform>
        </translation>
    </message>
    <message>
        <source>Of the requests that ended in the last minute: those that failed because of an upstream or the gateway, streams that broke after they started included.</source>
        <translation>Von den Anfragen der letzten Minute: die, die wegen eines Upstreams oder des Gateways fehlschlugen, einschließlich Streams, die nach dem Start abbrachen.</translation>
    </message>
    <message>
        <source>all routes serving</source>
        <translation>alle Routen bedienen</translation>
    </message>
    <message numerus="yes">
        <source>%n open</source>
        <extracomment>status bar: how many routes have an open breaker</extracomment>
        <translation>
            <numerusform>%n offen</numerusform>
            <numerusform>%n offen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n half-open</source>
        <translation>
            <numerusform>%n halboffen</numerusform>
            <numerusform>%n halboffen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n misconfigured</source>
        <extracomment>status bar: routes that cannot serve for a missing key or a wrong setting</extracomment>
        <translation>
            <numerusform>%n fehlkonfiguriert</numerusform>
            <numerusform>%n fehlkonfiguriert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n drilling</source>
        <translation>
            <numerusform>%n in Übung</numerusform>
            <numerusform>%n in Übung</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n recovering</source>
        <extracomment>status bar: routes taking back their traffic in steps</extracomment>
        <translation>
            <numerusform>%n erholt sich</numerusform>
            <numerusform>%n erholen sich</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n drained</source>
        <translation>
            <numerusform>%n abgezogen</numerusform>
            <numerusform>%n abgezogen</numerusform>
        </translation>
    </message>
    <message>
        <source>breaker open on %1</source>
        <extracomment>incident banner; %1: route names</extracomment>
        <translation>Breaker offen bei %1</translation>
    </message>
    <message>
        <source>%1 cannot serve (key or setting)</source>
        <translation>%1 kann nicht bedienen (Schlüssel oder Einstellung)</translation>
    </message>
    <message>
        <source>lane %1 runs on its degraded route</source>
        <translation>Lane %1 läuft über ihre Notfallroute</translation>
    </message>
    <message>
        <source>Degraded: %1</source>
        <translation>Beeinträchtigt: %1</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Open Configuration…</source>
        <translation>Konfiguration ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>&amp;Export Incident Report…</source>
        <translation>Störungsbericht &amp;exportieren …</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>What happened in the latest incident, for the post-mortem: as Markdown, HTML or PDF</source>
        <translation>Was in der letzten Störung geschah, für die Nachbesprechung: als Markdown, HTML oder PDF</translation>
    </message>
    <message>
        <source>Open Configuration</source>
        <translation>Konfiguration öffnen</translation>
    </message>
    <message>
        <source>Switchyard configuration (*.json)</source>
        <translation>Switchyard-Konfiguration (*.json)</translation>
    </message>
    <message>
        <source>%1 was not opened; the running configuration stays:

%2</source>
        <translation>%1 wurde nicht geöffnet; die laufende Konfiguration bleibt:

%2</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Chronik</translation>
    </message>
</context>
<context>
    <name>Switchyard::ProviderDialog</name>
    <message>
        <source>Add provider</source>
        <translation>Anbieter hinzufügen</translation>
    </message>
    <message>
        <source>Edit provider %1</source>
        <translation>Anbieter %1 bearbeiten</translation>
    </message>
    <message>
        <source>Custom endpoint</source>
        <translation>Eigener Endpunkt</translation>
    </message>
    <message>
        <source>e.g. groq</source>
        <translation>z. B. groq</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI-kompatibel</translation>
    </message>
    <message>
        <source>Anthropic Messages API</source>
        <translation>Anthropic Messages API</translation>
    </message>
    <message>
        <source>No key</source>
        <translation>Kein Schlüssel</translation>
    </message>
    <message>
        <source>System keychain entry</source>
        <translation>Eintrag im Systemschlüsselbund</translation>
    </message>
    <message>
        <source>Environment variable</source>
        <translation>Umgebungsvariable</translation>
    </message>
    <message>
        <source>Start from:</source>
        <translation>Ausgehend von:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Art:</translation>
    </message>
    <message>
        <source>&amp;Base URL:</source>
        <translation>&amp;Basis-URL:</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>Key &amp;name:</source>
        <translation>Schlüssel&amp;name:</translation>
    </message>
    <message>
        <source>The key itself is never written to the configuration: it stays in the system keychain (set it with Set key… once the provider is added) or in an environment variable.</source>
        <translation>Der Schlüssel selbst wird nie in die Konfiguration geschrieben: Er bleibt im Systemschlüsselbund (nach dem Hinzufügen mit „Schlüssel setzen…“ hinterlegen) oder in einer Umgebungsvariable.</translation>
    </message>
    <message>
        <source>A provider needs a name.</source>
        <translation>Ein Anbieter braucht einen Namen.</translation>
    </message>
    <message numerus="yes">
        <source>A pool of %n key(s), kept as it is (Add key… and Remove key edit it)</source>
        <translation>
            <numerusform>Ein Pool aus %n Schlüssel, bleibt wie er ist (Schlüssel hinzufügen… und Schlüssel entfernen ändern ihn)</numerusform>
            <numerusform>Ein Pool aus %n Schlüsseln, bleibt wie er ist (Schlüssel hinzufügen… und Schlüssel entfernen ändern ihn)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Switchyard::ProviderTableModel</name>
    <message>
        <source>(in-process simulation)</source>
        <translation>(Simulation im Prozess)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Basis-URL</translation>
    </message>
    <message>
        <source>Key reference</source>
        <translation>Schlüsselverweis</translation>
    </message>
    <message>
        <source>Key status</source>
        <translation>Schlüsselstatus</translation>
    </message>
    <message>
        <source>Routes</source>
        <translation>Routen</translation>
    </message>
    <message>
        <source>set</source>
        <translation>gesetzt</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>nicht nötig</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>wird gelesen…</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>nicht lesbar</translation>
    </message>
    <message>
        <source>rejected by the upstream</source>
        <translation>vom Anbieter abgelehnt</translation>
    </message>
    <message>
        <source>not tested</source>
        <translation>nicht getestet</translation>
    </message>
    <message>
        <source>testing…</source>
        <translation>wird getestet…</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Last test</source>
        <translation>Letzter Test</translation>
    </message>
    <message>
        <source>keychain entry &apos;%1&apos;</source>
        <translation>Schlüsselbund-Eintrag „%1“</translation>
    </message>
    <message>
        <source>environment variable %1</source>
        <translation>Umgebungsvariable %1</translation>
    </message>
    <message>
        <source>cooling down after a rate limit</source>
        <translation>pausiert nach einer Ratenbegrenzung</translation>
    </message>
    <message numerus="yes">
        <source>a pool of %n keys</source>
        <translation>
            <numerusform>ein Pool aus %n Schlüssel</numerusform>
            <numerusform>ein Pool aus %n Schlüsseln</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Switchyard::ProvidersView</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>Remo&amp;ve</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Set &amp;key…</source>
        <translation>&amp;Schlüssel setzen…</translation>
    </message>
    <message>
        <source>&amp;Delete key</source>
        <translation>Schlüssel &amp;löschen</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Testen</translation>
    </message>
    <message>
        <source>Add ro&amp;ute…</source>
        <translation>Ro&amp;ute hinzufügen…</translation>
    </message>
    <message>
        <source>Edit r&amp;oute…</source>
        <translation>R&amp;oute bearbeiten…</translation>
    </message>
    <message>
        <source>Remove rou&amp;te</source>
        <translation>Rou&amp;te entfernen</translation>
    </message>
    <message>
        <source>Ask the provider for its models list with its key: a cheap call that shows whether the key and the address work.</source>
        <translation>Fragt den Anbieter mit seinem Schlüssel nach seiner Modellliste: ein günstiger Aufruf, der zeigt, ob Schlüssel und Adresse funktionieren.</translation>
    </message>
    <message>
        <source>Store or replace this provider&apos;s key in the system keychain.</source>
        <translation>Den Schlüssel dieses Anbieters im Systemschlüsselbund speichern oder ersetzen.</translation>
    </message>
    <message>
        <source>&amp;Add provider…</source>
        <translation>&amp;Anbieter hinzufügen…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Providers&lt;/b&gt;</source>
        <translation>&lt;b&gt;Anbieter&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Routes&lt;/b&gt; — a route is one model of one provider; lanes chain routes in the Lanes view</source>
        <translation>&lt;b&gt;Routen&lt;/b&gt; – eine Route ist ein Modell eines Anbieters; Lanes verketten Routen in der Ansicht „Lanes“</translation>
    </message>
    <message>
        <source>Keys are kept in the system keychain or in environment variables and are never shown; the configuration file only names them.</source>
        <translation>Schlüssel liegen im Systemschlüsselbund oder in Umgebungsvariablen und werden nie angezeigt; die Konfigurationsdatei nennt nur ihre Namen.</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>Nicht übernommen: %1</translation>
    </message>
    <message>
        <source>%1 Applied and saved.</source>
        <translation>%1 Übernommen und gespeichert.</translation>
    </message>
    <message>
        <source>%1 Applied to the running gateway.</source>
        <translation>%1 Im laufenden Gateway übernommen.</translation>
    </message>
    <message>
        <source>Provider %1 added.</source>
        <translation>Anbieter %1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Provider %1 changed.</source>
        <translation>Anbieter %1 geändert.</translation>
    </message>
    <message>
        <source>Remove provider %1?</source>
        <translation>Anbieter %1 entfernen?</translation>
    </message>
    <message>
        <source>Remove provider %1 and its routes %2?</source>
        <translation>Anbieter %1 und seine Routen %2 entfernen?</translation>
    </message>
    <message>
        <source>Lanes %1 use them and will lose them from their chains.</source>
        <translation>Die Lanes %1 verwenden sie und verlieren sie aus ihren Ketten.</translation>
    </message>
    <message>
        <source>Remove provider</source>
        <translation>Anbieter entfernen</translation>
    </message>
    <message>
        <source>Provider %1 removed.</source>
        <translation>Anbieter %1 entfernt.</translation>
    </message>
    <message>
        <source>Route %1 added; callers reach it with &quot;model&quot;: &quot;%1&quot;, and the Lanes view adds it to a chain.</source>
        <translation>Route %1 hinzugefügt; Aufrufer erreichen sie mit &quot;model&quot;: &quot;%1&quot;, und die Ansicht „Lanes“ fügt sie einer Kette hinzu.</translation>
    </message>
    <message>
        <source>Route %1 changed.</source>
        <translation>Route %1 geändert.</translation>
    </message>
    <message>
        <source>Remove route %1? No lane uses it.</source>
        <translation>Route %1 entfernen? Keine Lane verwendet sie.</translation>
    </message>
    <message>
        <source>Route %1 is used by lanes %2. Remove it from them and delete it?</source>
        <translation>Route %1 wird von den Lanes %2 verwendet. Dort entfernen und löschen?</translation>
    </message>
    <message>
        <source>Remove route</source>
        <translation>Route entfernen</translation>
    </message>
    <message>
        <source>Route %1 removed.</source>
        <translation>Route %1 entfernt.</translation>
    </message>
    <message>
        <source>Set key for %1</source>
        <translation>Schlüssel für %1 setzen</translation>
    </message>
    <message>
        <source>API key for %1, stored in the system keychain as &apos;%2&apos;. It replaces the key there now.</source>
        <translation>API-Schlüssel für %1, im Systemschlüsselbund als „%2“ gespeichert. Er ersetzt den dort vorhandenen Schlüssel.</translation>
    </message>
    <message>
        <source>An empty key was not stored.</source>
        <translation>Ein leerer Schlüssel wurde nicht gespeichert.</translation>
    </message>
    <message>
        <source>Storing the key in the system keychain…</source>
        <translation>Schlüssel wird im Systemschlüsselbund gespeichert…</translation>
    </message>
    <message>
        <source>The key was not stored: %1</source>
        <translation>Der Schlüssel wurde nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Delete key</source>
        <translation>Schlüssel löschen</translation>
    </message>
    <message>
        <source>Delete key &apos;%1&apos; from the system keychain? Routes of providers that use it stop until a key is set again.</source>
        <translation>Schlüssel „%1“ aus dem Systemschlüsselbund löschen? Routen der Anbieter, die ihn verwenden, stehen still, bis wieder ein Schlüssel gesetzt ist.</translation>
    </message>
    <message>
        <source>The key was not deleted: %1</source>
        <translation>Der Schlüssel wurde nicht gelöscht: %1</translation>
    </message>
    <message>
        <source>Key &apos;%1&apos; deleted from the system keychain.</source>
        <translation>Schlüssel „%1“ aus dem Systemschlüsselbund gelöscht.</translation>
    </message>
    <message>
        <source>Testing %1: asking for its models list…</source>
        <translation>%1 wird getestet: Modellliste wird abgefragt…</translation>
    </message>
    <message>
        <source>Test of %1 passed: %2</source>
        <translation>Test von %1 bestanden: %2</translation>
    </message>
    <message>
        <source>Test of %1 failed: %2</source>
        <translation>Test von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Re&amp;load keys</source>
        <translation>Schlüssel neu &amp;laden</translation>
    </message>
    <message>
        <source>Read every key from the keychain again, for instance after `switchyard keys set` in a terminal.</source>
        <translation>Alle Schlüssel erneut aus dem Schlüsselbund lesen, etwa nach `switchyard keys set` in einem Terminal.</translation>
    </message>
    <message>
        <source>Reading the keys again…</source>
        <translation>Schlüssel werden erneut gelesen…</translation>
    </message>
    <message>
        <source>Provider %1 cannot be removed yet: %2. Change the lanes first (Lanes view).</source>
        <translation>Anbieter %1 kann noch nicht entfernt werden: %2. Zuerst die Lanes ändern (Ansicht „Lanes“).</translation>
    </message>
    <message>
        <source>Route %1 cannot be removed yet: %2. Change the lanes first (Lanes view).</source>
        <translation>Route %1 kann noch nicht entfernt werden: %2. Zuerst die Lanes ändern (Ansicht „Lanes“).</translation>
    </message>
    <message>
        <source>The keychain has not answered yet; is it locked and waiting for its password?</source>
        <translation>Der Schlüsselbund hat noch nicht geantwortet; ist er gesperrt und wartet auf sein Passwort?</translation>
    </message>
    <message>
        <source>Key &apos;%1&apos; stored in the system keychain; the gateway is reading it again.</source>
        <translation>Schlüssel „%1“ im Systemschlüsselbund gespeichert; das Gateway liest ihn erneut.</translation>
    </message>
    <message>
        <source>%1 (provider %2) will be sent to %3</source>
        <extracomment>%1 names where a key comes from, such as &quot;keychain entry &apos;groq&apos;&quot;</extracomment>
        <translation>%1 (Anbieter %2) wird an %3 gesendet</translation>
    </message>
    <message>
        <source>Send a key to a new host?</source>
        <translation>Einen Schlüssel an einen neuen Host senden?</translation>
    </message>
    <message>
        <source>With this change:

%1

Continue only if you trust that host with the key.</source>
        <translation>Mit dieser Änderung:

%1

Fahren Sie nur fort, wenn Sie diesem Host den Schlüssel anvertrauen.</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Wird angewendet …</translation>
    </message>
    <message>
        <source>This gateway runs on another machine and reads its keychain: set the key there with `switchyard keys set NAME`, then Reload keys here.</source>
        <translation>Dieses Gateway läuft auf einem anderen Rechner und liest dessen Schlüsselbund: Setzen Sie den Schlüssel dort mit `switchyard keys set NAME` und wählen Sie hier „Schlüssel neu laden“.</translation>
    </message>
    <message>
        <source>Add ke&amp;y…</source>
        <translation>Schlüssel &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation>Schlüssel entfernen</translation>
    </message>
    <message>
        <source>Add a key to this provider&apos;s pool: several keys share its traffic, and a rate-limited or rejected key rests while the others serve.</source>
        <translation>Einen Schlüssel zum Pool dieses Anbieters hinzufügen: mehrere Schlüssel teilen sich seinen Verkehr, und ein ratenbegrenzter oder abgelehnter Schlüssel pausiert, während die anderen bedienen.</translation>
    </message>
    <message>
        <source>Take the selected key out of this provider&apos;s pool.</source>
        <translation>Den gewählten Schlüssel aus dem Pool dieses Anbieters nehmen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Keys&lt;/b&gt; — select a provider to see its keys</source>
        <translation>&lt;b&gt;Schlüssel&lt;/b&gt; — einen Anbieter wählen, um seine Schlüssel zu sehen</translation>
    </message>
    <message>
        <source>&lt;b&gt;Keys of %1&lt;/b&gt; — a pool of keys shares the provider&apos;s traffic; one conversation keeps one key</source>
        <translation>&lt;b&gt;Schlüssel von %1&lt;/b&gt; — ein Pool von Schlüsseln teilt sich den Verkehr des Anbieters; ein Gespräch behält einen Schlüssel</translation>
    </message>
    <message>
        <source>Set key %1 of %2</source>
        <translation>Schlüssel %1 von %2 setzen</translation>
    </message>
    <message>
        <source>API key &apos;%1&apos; of %2, stored in the system keychain as &apos;%3&apos;. It replaces the key there now.</source>
        <translation>API-Schlüssel „%1“ von %2, im Schlüsselbund des Systems als „%3“ gespeichert. Er ersetzt den dortigen Schlüssel sofort.</translation>
    </message>
    <message>
        <source>Add a key to %1</source>
        <translation>Einen Schlüssel zu %1 hinzufügen</translation>
    </message>
    <message>
        <source>e.g. team</source>
        <translation>z. B. team</translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation>&amp;Bezeichnung:</translation>
    </message>
    <message>
        <source>Keychain &amp;entry:</source>
        <translation>Schlüsselbund-&amp;Eintrag:</translation>
    </message>
    <message>
        <source>&amp;Key:</source>
        <translation>&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation>&amp;Gewicht:</translation>
    </message>
    <message>
        <source>The label names the key in traces, metrics and here; the key itself goes to the system keychain, never to the configuration file.</source>
        <translation>Die Bezeichnung benennt den Schlüssel in Traces, Metriken und hier; der Schlüssel selbst kommt in den Schlüsselbund des Systems, nie in die Konfigurationsdatei.</translation>
    </message>
    <message>
        <source>Key: paste the key itself (it goes to the keychain).</source>
        <translation>Schlüssel: den Schlüssel selbst einfügen (er kommt in den Schlüsselbund).</translation>
    </message>
    <message>
        <source>Key %1 added to %2.</source>
        <translation>Schlüssel %1 zu %2 hinzugefügt.</translation>
    </message>
    <message>
        <source>Key %1 was added to %2, but not stored: %3</source>
        <translation>Schlüssel %1 wurde zu %2 hinzugefügt, aber nicht gespeichert: %3</translation>
    </message>
    <message>
        <source>Key %1 added to %2 and stored in the system keychain as &apos;%3&apos;; the gateway is reading it.</source>
        <translation>Schlüssel %1 zu %2 hinzugefügt und im Schlüsselbund des Systems als „%3“ gespeichert; das Gateway liest ihn.</translation>
    </message>
    <message>
        <source>Take key %1 out of %2&apos;s pool? Its keychain entry stays; `switchyard keys delete %3` removes it.</source>
        <translation>Schlüssel %1 aus dem Pool von %2 nehmen? Sein Schlüsselbund-Eintrag bleibt; `switchyard keys delete %3` entfernt ihn.</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>Key %1 removed from %2.</source>
        <translation>Schlüssel %1 aus %2 entfernt.</translation>
    </message>
</context>
<context>
    <name>Switchyard::RemoteLink</name>
    <message>
        <source>the gateway refused the admin token</source>
        <translation>das Gateway hat das Admin-Token abgelehnt</translation>
    </message>
    <message>
        <source>the gateway answered %1: %2</source>
        <translation>das Gateway antwortete %1: %2</translation>
    </message>
    <message>
        <source>the gateway sent an event too large to read</source>
        <translation>das Gateway sandte ein zu großes Ereignis</translation>
    </message>
    <message>
        <source>the gateway closed the connection</source>
        <translation>das Gateway hat die Verbindung geschlossen</translation>
    </message>
</context>
<context>
    <name>Switchyard::ReplayDialog</name>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Senden</translation>
    </message>
    <message>
        <source>Replay %1</source>
        <extracomment>%1: a request id</extracomment>
        <translation>%1 wiederholen</translation>
    </message>
    <message>
        <source>Original, on %1: HTTP %2</source>
        <extracomment>%1: route; %2: HTTP status</extracomment>
        <translation>Original, auf %1: HTTP %2</translation>
    </message>
    <message>
        <source>(no answer was kept)</source>
        <translation>(keine Antwort behalten)</translation>
    </message>
    <message>
        <source>Choose a route and send: the request goes to it alone, as the caller sent it but for its model.</source>
        <translation>Eine Route wählen und senden: Die Anfrage geht nur an sie, wie der Aufrufer sie sandte, bis auf ihr Modell.</translation>
    </message>
    <message>
        <source>Replay on route:</source>
        <translation>Wiederholen auf Route:</translation>
    </message>
    <message>
        <source>Sending to %1…</source>
        <translation>Wird an %1 gesendet …</translation>
    </message>
    <message>
        <source>Not replayed: %1</source>
        <translation>Nicht wiederholt: %1</translation>
    </message>
    <message>
        <source>Replay on %1: HTTP %2 (request %3)</source>
        <extracomment>%1: route; %2: HTTP status; %3: the replay&apos;s request id</extracomment>
        <translation>Wiederholung auf %1: HTTP %2 (Anfrage %3)</translation>
    </message>
    <message>
        <source>… the rest of the answer is not shown</source>
        <translation>… der Rest der Antwort wird nicht gezeigt</translation>
    </message>
</context>
<context>
    <name>Switchyard::RouteCardDelegate</name>
    <message>
        <source>Misconfigured</source>
        <translation>Falsch konfiguriert</translation>
    </message>
</context>
<context>
    <name>Switchyard::RouteConfigTableModel</name>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>nicht gesetzt</translation>
    </message>
    <message>
        <source>$%1 in / $%2 out</source>
        <extracomment>Prices in USD per million input and output tokens</extracomment>
        <translation>$%1 Eingabe / $%2 Ausgabe</translation>
    </message>
    <message>
        <source>(no lane)</source>
        <translation>(keine Lane)</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Capabilities</source>
        <translation>Fähigkeiten</translation>
    </message>
    <message>
        <source>Context window</source>
        <translation>Kontextfenster</translation>
    </message>
    <message>
        <source>Price per million tokens</source>
        <translation>Preis pro Million Tokens</translation>
    </message>
    <message>
        <source>Used by lanes</source>
        <translation>Verwendet von Lanes</translation>
    </message>
</context>
<context>
    <name>Switchyard::RouteDialog</name>
    <message>
        <source>Add route</source>
        <translation>Route hinzufügen</translation>
    </message>
    <message>
        <source>Edit route %1</source>
        <translation>Route %1 bearbeiten</translation>
    </message>
    <message>
        <source>e.g. llama-fast</source>
        <translation>z. B. llama-fast</translation>
    </message>
    <message>
        <source>the provider&apos;s model id, e.g. llama-3.1-8b-instant</source>
        <translation>die Modell-ID des Anbieters, z. B. llama-3.1-8b-instant</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>no cap</source>
        <translation>keine Grenze</translation>
    </message>
    <message>
        <source>models list</source>
        <translation>Modellliste</translation>
    </message>
    <message>
        <source>one-token completion</source>
        <translation>Vervollständigung mit einem Token</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Provider:</source>
        <translation>&amp;Anbieter:</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>Capabilities:</source>
        <translation>Fähigkeiten:</translation>
    </message>
    <message>
        <source>Context window (tokens):</source>
        <translation>Kontextfenster (Tokens):</translation>
    </message>
    <message>
        <source>Input price (USD per million tokens):</source>
        <translation>Eingabepreis (USD pro Million Tokens):</translation>
    </message>
    <message>
        <source>Output price (USD per million tokens):</source>
        <translation>Ausgabepreis (USD pro Million Tokens):</translation>
    </message>
    <message>
        <source>Spend cap (USD per day):</source>
        <translation>Ausgabengrenze (USD pro Tag):</translation>
    </message>
    <message>
        <source>Max tokens when the caller sets none:</source>
        <translation>Max. Tokens, wenn der Aufrufer keine angibt:</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Connect (ms):</source>
        <translation>Verbindungsaufbau (ms):</translation>
    </message>
    <message>
        <source>First byte (ms):</source>
        <translation>Erstes Byte (ms):</translation>
    </message>
    <message>
        <source>Idle between chunks (ms):</source>
        <translation>Pause zwischen Teilen (ms):</translation>
    </message>
    <message>
        <source>Whole call (ms):</source>
        <translation>Gesamter Aufruf (ms):</translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation>Zeitlimits</translation>
    </message>
    <message>
        <source>Window (calls):</source>
        <translation>Fenster (Aufrufe):</translation>
    </message>
    <message>
        <source>Minimum calls:</source>
        <translation>Mindestzahl Aufrufe:</translation>
    </message>
    <message>
        <source>Failure rate to open:</source>
        <translation>Fehlerquote zum Öffnen:</translation>
    </message>
    <message>
        <source>Consecutive failures to open:</source>
        <translation>Fehler in Folge zum Öffnen:</translation>
    </message>
    <message>
        <source>Slow call (ms):</source>
        <translation>Langsamer Aufruf (ms):</translation>
    </message>
    <message>
        <source>Slow call rate to open:</source>
        <translation>Quote langsamer Aufrufe zum Öffnen:</translation>
    </message>
    <message>
        <source>Cooldown (ms):</source>
        <translation>Abkühlzeit (ms):</translation>
    </message>
    <message>
        <source>Longest cooldown (ms):</source>
        <translation>Längste Abkühlzeit (ms):</translation>
    </message>
    <message>
        <source>Half-open trial calls:</source>
        <translation>Probeaufrufe im halboffenen Zustand:</translation>
    </message>
    <message>
        <source>Breaker</source>
        <translation>Schutzschalter</translation>
    </message>
    <message>
        <source>Recovery step (ms):</source>
        <translation>Erholungsstufe (ms):</translation>
    </message>
    <message>
        <source>Probe interval (ms):</source>
        <translation>Prüfintervall (ms):</translation>
    </message>
    <message>
        <source>Probe timeout (ms):</source>
        <translation>Prüf-Zeitlimit (ms):</translation>
    </message>
    <message>
        <source>Recovery traffic steps:</source>
        <translation>Verkehrsanteile der Erholung:</translation>
    </message>
    <message>
        <source>Probe:</source>
        <translation>Prüfung:</translation>
    </message>
    <message>
        <source>Recovery and probe</source>
        <translation>Erholung und Prüfung</translation>
    </message>
    <message>
        <source>A route needs a name.</source>
        <translation>Eine Route braucht einen Namen.</translation>
    </message>
    <message>
        <source>First token (ms):</source>
        <translation>Erstes Token (ms):</translation>
    </message>
    <message>
        <source>automatic: a completion when a key is set</source>
        <translation>automatisch: eine Vervollständigung, wenn ein Schlüssel gesetzt ist</translation>
    </message>
    <message>
        <source>Probe interval while open (ms):</source>
        <translation>Prüfintervall im offenen Zustand (ms):</translation>
    </message>
    <message>
        <source>as input</source>
        <translation>wie Eingabe</translation>
    </message>
    <message>
        <source>Prompt-cache read price (USD per million tokens):</source>
        <translation>Preis für Prompt-Cache-Lesen (USD pro Million Tokens):</translation>
    </message>
    <message>
        <source>Prompt-cache write price (USD per million tokens):</source>
        <translation>Preis für Prompt-Cache-Schreiben (USD pro Million Tokens):</translation>
    </message>
</context>
<context>
    <name>Switchyard::RouteTableModel</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>cooldown %1 s</source>
        <translation>Abkühlung %1 s</translation>
    </message>
    <message>
        <source>step %1 of %2 · %3% traffic · next in %4 s</source>
        <translation>Stufe %1 von %2 · %3 % Verkehr · nächste in %4 s</translation>
    </message>
    <message>
        <source>drill %1 · %2 s left</source>
        <translation>Übung %1 · noch %2 s</translation>
    </message>
    <message>
        <source>probes continue</source>
        <translation>Prüfungen laufen weiter</translation>
    </message>
    <message>
        <source>last probe: %1</source>
        <translation>letzte Prüfung: %1</translation>
    </message>
    <message>
        <source>misconfigured</source>
        <translation>falsch konfiguriert</translation>
    </message>
    <message>
        <source>%1 on %2 · lanes: %3</source>
        <translation>%1 bei %2 · Lanes: %3</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>Req/s</source>
        <translation>Anfr./s</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>Laufend</translation>
    </message>
    <message>
        <source>Cooldown / recovery</source>
        <translation>Abkühlung / Erholung</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>rate limited · %1 s left</source>
        <extracomment>a provider&apos;s 429 Retry-After keeps traffic away from the route for this long</extracomment>
        <translation>ratenbegrenzt · noch %1 s</translation>
    </message>
    <message>
        <source>start</source>
        <extracomment>when a route&apos;s breaker entered its state; before any change, since the start</extracomment>
        <translation>Start</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
</context>
<context>
    <name>Switchyard::RoutesView</name>
    <message>
        <source>Route actions</source>
        <translation>Routenaktionen</translation>
    </message>
    <message>
        <source>Drain</source>
        <translation>Abziehen</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Take the route out of traffic; probes continue</source>
        <translation>Die Route aus dem Verkehr nehmen; Prüfungen laufen weiter</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Back to automatic, full traffic at once</source>
        <translation>Zurück in den Automatikbetrieb, sofort voller Verkehr</translation>
    </message>
    <message>
        <source>Restore staged</source>
        <translation>Stufenweise wiederherstellen</translation>
    </message>
    <message>
        <source>Ctrl+Shift+R</source>
        <translation>Ctrl+Shift+R</translation>
    </message>
    <message>
        <source>Back to automatic through the recovery steps</source>
        <translation>Zurück in den Automatikbetrieb über die Erholungsstufen</translation>
    </message>
    <message>
        <source>Stage recovery</source>
        <translation>Erholung staffeln</translation>
    </message>
    <message>
        <source>Ctrl+G</source>
        <translation>Ctrl+G</translation>
    </message>
    <message>
        <source>Ramp the route&apos;s traffic up in steps from now on</source>
        <translation>Den Verkehr der Route ab jetzt stufenweise hochfahren</translation>
    </message>
    <message>
        <source>Probe now</source>
        <translation>Jetzt prüfen</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>Send a health probe at once</source>
        <translation>Sofort eine Zustandsprüfung senden</translation>
    </message>
    <message>
        <source>Drill…</source>
        <translation>Übung …</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>Inject a failure for a while</source>
        <translation>Für eine Weile einen Fehler einspeisen</translation>
    </message>
    <message>
        <source>Select a route to act on it. Drain and Restore move live traffic and ask first.</source>
        <translation>Wählen Sie eine Route, um auf sie einzuwirken. Abziehen und Wiederherstellen verschieben echten Verkehr und fragen vorher nach.</translation>
    </message>
    <message>
        <source>Drain %1?</source>
        <translation>%1 abziehen?</translation>
    </message>
    <message>
        <source>%1 serves %2 requests/s with %3 in flight. Draining sends all of its traffic to the next routes of its lanes (%4) until you restore it.</source>
        <translation>%1 bedient %2 Anfragen/s, %3 laufen gerade. Abziehen schickt ihren gesamten Verkehr an die nächsten Routen ihrer Lanes (%4), bis Sie sie wiederherstellen.</translation>
    </message>
    <message>
        <source>Restore %1 at once?</source>
        <translation>%1 sofort wiederherstellen?</translation>
    </message>
    <message>
        <source>%1 gets its full share of traffic immediately. If it may still be unwell, Restore staged ramps it up in steps instead.</source>
        <translation>%1 erhält sofort ihren vollen Verkehrsanteil. Wenn sie noch angeschlagen sein könnte, fährt „Stufenweise wiederherstellen“ sie stattdessen in Stufen hoch.</translation>
    </message>
</context>
<context>
    <name>Switchyard::StateHistoryWidget</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Route states over time</source>
        <translation>Routenzustände im Zeitverlauf</translation>
    </message>
    <message>
        <source>Misconfigured</source>
        <translation>Falsch konfiguriert</translation>
    </message>
    <message>
        <source>Requests/s
(up to %1)</source>
        <translation>Anfragen/s
(bis %1)</translation>
    </message>
    <message>
        <source>Errors
(% of requests)</source>
        <translation>Fehler
(% der Anfragen)</translation>
    </message>
    <message>
        <source>not seen by this console</source>
        <translation>von dieser Konsole nicht gesehen</translation>
    </message>
    <message>
        <source>%1: not known before %2</source>
        <translation>%1: vor %2 unbekannt</translation>
    </message>
    <message>
        <source>%1: %2, %3 – %4 (%5)</source>
        <translation>%1: %2, %3 – %4 (%5)</translation>
    </message>
    <message>
        <source>%1 – %2: %3 requests, %4 failed</source>
        <translation>%1 – %2: %3 Anfragen, %4 gescheitert</translation>
    </message>
</context>
<context>
    <name>Switchyard::TimelineWidget</name>
    <message>
        <source>Select a request to see its attempts on a time line.</source>
        <translation>Wählen Sie eine Anfrage, um ihre Versuche auf einer Zeitachse zu sehen.</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>skipped: %1</source>
        <translation>übersprungen: %1</translation>
    </message>
    <message>
        <source>backoff %1 ms</source>
        <translation>Wartezeit %1 ms</translation>
    </message>
    <message>
        <source>%1 skipped: %2</source>
        <translation>%1 übersprungen: %2</translation>
    </message>
    <message>
        <source>%1: %2, HTTP %3, decision %4
%5–%6 ms</source>
        <translation>%1: %2, HTTP %3, Entscheidung %4
%5–%6 ms</translation>
    </message>
    <message>
        <source>(injected by a drill)</source>
        <translation>(durch eine Übung eingespeist)</translation>
    </message>
    <message>
        <source>continues the stream (%1)</source>
        <comment>prefill or restart</comment>
        <translation>setzt den Stream fort (%1)</translation>
    </message>
    <message>
        <source>hedge</source>
        <translation>Absicherung</translation>
    </message>
    <message>
        <source>(a hedge: started beside a slower attempt; the first with content answers)</source>
        <translation>(eine Absicherung: neben einem langsameren Versuch gestartet; wer zuerst Inhalt liefert, antwortet)</translation>
    </message>
    <message>
        <source>Pale: connecting · hatched: waiting for the first byte · vertical lines: waiting for the first token · solid: receiving · dotted: backoff · dashed: where a hedge started</source>
        <translation>Blass: Verbindungsaufbau · schraffiert: Warten auf das erste Byte · senkrecht gestreift: Warten auf das erste Token · voll: Empfang · gepunktet: Wartezeit · gestrichelt: Start einer Absicherung</translation>
    </message>
    <message>
        <source>Total %1 ms, %2 attempt(s), $%3</source>
        <translation>Gesamt %1 ms, %2 Versuch(e), $%3</translation>
    </message>
    <message>
        <source>key %1</source>
        <translation>Schlüssel %1</translation>
    </message>
    <message>
        <source>sent with the provider&apos;s key &apos;%1&apos;</source>
        <translation>gesendet mit dem Schlüssel „%1“ des Anbieters</translation>
    </message>
</context>
<context>
    <name>Switchyard::TraceListModel</name>
    <message>
        <source>%1 (fallback)</source>
        <translation>%1 (ausgewichen)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Lane</source>
        <translation>Lane</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Class</source>
        <comment>failure class of a request</comment>
        <translation>Klasse</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>API</source>
        <comment>the API a caller spoke: chat completions, Messages, Responses</comment>
        <translation>API</translation>
    </message>
</context>
<context>
    <name>Switchyard::TracesView</name>
    <message>
        <source>Only fallbacks</source>
        <translation>Nur Ausweichfälle</translation>
    </message>
    <message>
        <source>Only errors</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <source>All classes</source>
        <translation>Alle Klassen</translation>
    </message>
    <message>
        <source>Filter:</source>
        <translation>Filter:</translation>
    </message>
    <message>
        <source>All lanes</source>
        <translation>Alle Lanes</translation>
    </message>
    <message>
        <source>All routes</source>
        <translation>Alle Routen</translation>
    </message>
    <message>
        <source>All APIs</source>
        <translation>Alle APIs</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <source>Find a request id (X-Switchyard-Request-Id)…</source>
        <translation>Anfrage-ID suchen (X-Switchyard-Request-Id)…</translation>
    </message>
    <message>
        <source>Save the selected requests with their attempts as JSON (never a prompt, an answer or a key: traces hold none)</source>
        <translation>Die ausgewählten Anfragen mit ihren Versuchen als JSON speichern (nie ein Prompt, eine Antwort oder ein Schlüssel: Traces enthalten keine)</translation>
    </message>
    <message>
        <source>Not a request id: %1</source>
        <translation>Keine Anfrage-ID: %1</translation>
    </message>
    <message>
        <source>Looking for %1…</source>
        <translation>Suche %1…</translation>
    </message>
    <message>
        <source>No request %1 in this gateway&apos;s traces</source>
        <translation>Keine Anfrage %1 in den Traces dieses Gateways</translation>
    </message>
    <message>
        <source>No request %1 in this gateway&apos;s traces. Successes are written only as a sample (traces.success_sample_ratio), and this id is not among those it keeps: if the request was answered at the first try, it may not have been kept.</source>
        <extracomment>traces.success_sample_ratio is a configuration key, not translated</extracomment>
        <translation>Keine Anfrage %1 in den Traces dieses Gateways. Erfolge werden nur als Stichprobe gespeichert (traces.success_sample_ratio), und diese ID gehört nicht zu denen, die sie aufbewahrt: Wurde die Anfrage beim ersten Versuch beantwortet, wurde sie womöglich nicht aufbewahrt.</translation>
    </message>
    <message>
        <source>%1, from %2: shown below</source>
        <extracomment>%1: a request id; %2: when it started</extracomment>
        <translation>%1, vom %2: unten gezeigt</translation>
    </message>
    <message>
        <source>Export Requests</source>
        <translation>Anfragen exportieren</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) saved to %1</source>
        <translation>
            <numerusform>%n Anfrage in %1 gespeichert</numerusform>
            <numerusform>%n Anfragen in %1 gespeichert</numerusform>
        </translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
</context>
</TS>
