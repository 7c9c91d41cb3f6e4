<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AwayNotice</name>
    <message>
        <source>Paused while you were away (%1)</source>
        <translation>Pausiert, während Sie weg waren (%1)</translation>
    </message>
    <message>
        <source>You are not tracking time</source>
        <translation>Sie erfassen gerade keine Zeit</translation>
    </message>
    <message>
        <source>The timer has been running for over %1 hours</source>
        <translation>Der Timer läuft seit über %1 Stunden</translation>
    </message>
</context>
<context>
    <name>AwayWatch</name>
    <message>
        <source>Welcome back</source>
        <translation>Willkommen zurück</translation>
    </message>
    <message>
        <source>Not tracking</source>
        <translation>Keine Zeiterfassung</translation>
    </message>
    <message>
        <source>Long timer</source>
        <translation>Langer Timer</translation>
    </message>
    <message>
        <source>Time away</source>
        <translation>Abwesenheit</translation>
    </message>
</context>
<context>
    <name>AwayWindow</name>
    <message>
        <source>Time away · awork Tray</source>
        <translation>Abwesenheit · awork Tray</translation>
    </message>
    <message>
        <source>&amp;Keep</source>
        <translation>&amp;Behalten</translation>
    </message>
    <message>
        <source>Keep the time away on the timer; nothing is sent</source>
        <translation>Die Zeit der Abwesenheit auf dem Timer lassen; nichts wird gesendet</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>&amp;Verwerfen</translation>
    </message>
    <message>
        <source>Stop the timer and end the entry when you left</source>
        <translation>Den Timer stoppen und den Eintrag enden lassen, als Sie gingen</translation>
    </message>
    <message>
        <source>Discard and &amp;continue</source>
        <translation>Verwerfen und &amp;weitermachen</translation>
    </message>
    <message>
        <source>The same, then start the same task again now</source>
        <translation>Dasselbe, dann dieselbe Aufgabe jetzt neu starten</translation>
    </message>
    <message>
        <source>You were away from %1 to %2 (%3)</source>
        <translation>Sie waren von %1 bis %2 weg (%3)</translation>
    </message>
    <message>
        <source>Nothing discarded: the timer was changed meanwhile</source>
        <translation>Nichts verworfen: Der Timer wurde inzwischen geändert</translation>
    </message>
    <message>
        <source>Could not stop the timer: %1</source>
        <translation>Der Timer konnte nicht gestoppt werden: %1</translation>
    </message>
    <message>
        <source>Stopped at %1; could not move the end to %2: %3</source>
        <translation>Um %1 gestoppt; das Ende konnte nicht auf %2 verschoben werden: %3</translation>
    </message>
    <message>
        <source>Discarded %1 away: the entry now ends at %2</source>
        <translation>%1 Abwesenheit verworfen: Der Eintrag endet jetzt um %2</translation>
    </message>
    <message>
        <source>Discarded %1 away; started again</source>
        <translation>%1 Abwesenheit verworfen; neu gestartet</translation>
    </message>
    <message>
        <source>Discarded %1 away; could not start again: %2</source>
        <translation>%1 Abwesenheit verworfen; Neustart fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>Change</name>
    <message>
        <source>Timer started, now paused: %1</source>
        <translation>Timer gestartet, jetzt pausiert: %1</translation>
    </message>
    <message>
        <source>Timer started: %1</source>
        <translation>Timer gestartet: %1</translation>
    </message>
    <message>
        <source>Timer switched to %1 (was %2)</source>
        <translation>Timer gewechselt zu %1 (vorher %2)</translation>
    </message>
    <message>
        <source>Timer paused: %1</source>
        <translation>Timer pausiert: %1</translation>
    </message>
    <message>
        <source>Timer resumed: %1</source>
        <translation>Timer fortgesetzt: %1</translation>
    </message>
    <message>
        <source>Timer stopped after %1: %2</source>
        <translation>Timer nach %1 gestoppt: %2</translation>
    </message>
    <message>
        <source>Timer stopped: %1</source>
        <translation>Timer gestoppt: %1</translation>
    </message>
    <message>
        <source>Timer stopped by awork after 24 hours: %1</source>
        <translation>Timer von awork nach 24 Stunden gestoppt: %1</translation>
    </message>
    <message>
        <source>Timer task changed: %1 → %2</source>
        <translation>Aufgabe des Timers geändert: %1 → %2</translation>
    </message>
</context>
<context>
    <name>Menu</name>
    <message>
        <source>&amp;Open in awork</source>
        <translation>In &amp;awork öffnen</translation>
    </message>
    <message>
        <source>Re&amp;fresh now</source>
        <translation>&amp;Jetzt aktualisieren</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Sign &amp;in…</source>
        <translation>An&amp;melden…</translation>
    </message>
    <message>
        <source>Signing in… (finish in your browser)</source>
        <translation>Anmeldung läuft… (im Browser abschließen)</translation>
    </message>
    <message>
        <source>Sign ou&amp;t</source>
        <translation>Abmel&amp;den</translation>
    </message>
    <message>
        <source>Signing out…</source>
        <translation>Abmeldung läuft…</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>Protokoll&amp;ordner öffnen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Could not resume</source>
        <translation>Fortsetzen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not pause</source>
        <translation>Pausieren fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not stop</source>
        <translation>Stoppen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not start again</source>
        <translation>Neustart fehlgeschlagen</translation>
    </message>
    <message>
        <source>awork cannot be reached</source>
        <translation>awork ist nicht erreichbar</translation>
    </message>
    <message>
        <source>The timer shown may be out of date; awork Tray keeps trying.</source>
        <translation>Der angezeigte Timer ist womöglich nicht aktuell; awork Tray versucht es weiter.</translation>
    </message>
    <message>
        <source>awork can be reached again; the timer is up to date.</source>
        <translation>awork ist wieder erreichbar; der Timer ist aktuell.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>A timer was started elsewhere</source>
        <translation>Ein Timer wurde anderswo gestartet</translation>
    </message>
    <message>
        <source>The timer was paused elsewhere</source>
        <translation>Der Timer wurde anderswo pausiert</translation>
    </message>
    <message>
        <source>The timer was resumed elsewhere</source>
        <translation>Der Timer wurde anderswo fortgesetzt</translation>
    </message>
    <message>
        <source>The timer was stopped elsewhere</source>
        <translation>Der Timer wurde anderswo gestoppt</translation>
    </message>
    <message>
        <source>awork stopped the timer after 24 hours</source>
        <translation>awork hat den Timer nach 24 Stunden gestoppt</translation>
    </message>
    <message>
        <source>The timer switched to another task</source>
        <translation>Der Timer ist zu einer anderen Aufgabe gewechselt</translation>
    </message>
    <message>
        <source>The timer&apos;s task or project changed</source>
        <translation>Aufgabe oder Projekt des Timers hat sich geändert</translation>
    </message>
    <message>
        <source>An action from this tray failed</source>
        <translation>Eine Aktion aus diesem Tray ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>awork cannot be reached for a while, and when it is back</source>
        <translation>awork länger nicht erreichbar ist, und wenn es wieder da ist</translation>
    </message>
    <message>
        <source>ask me on return</source>
        <translation>bei meiner Rückkehr fragen</translation>
    </message>
    <message>
        <source>pause the timer</source>
        <translation>den Timer pausieren</translation>
    </message>
    <message>
        <source>do nothing</source>
        <translation>nichts tun</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>Mo</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Di</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Mi</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Do</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Fr</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Sa</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>So</translation>
    </message>
    <message>
        <source>awork Tray settings</source>
        <translation>Einstellungen von awork Tray</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>awork&apos;s request limit is shared by everyone in your workspace: poll sparingly.</source>
        <translation>Das Anfragelimit von awork teilen sich alle in Ihrem Workspace: fragen Sie sparsam ab.</translation>
    </message>
    <message>
        <source>&amp;Start awork Tray when I log in</source>
        <translation>awork Tray beim Anmelden &amp;starten</translation>
    </message>
    <message>
        <source>&amp;Check awork every</source>
        <translation>awork &amp;abfragen alle</translation>
    </message>
    <message>
        <source>awork &amp;API address</source>
        <translation>&amp;API-Adresse von awork</translation>
    </message>
    <message>
        <source>A new address takes effect the next time awork Tray starts.</source>
        <translation>Eine neue Adresse gilt ab dem nächsten Start von awork Tray.</translation>
    </message>
    <message>
        <source>Notify me when</source>
        <translation>Benachrichtigen, wenn</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>&amp;Resume a timer paused at the lock when I am back</source>
        <translation>Einen beim Sperren pausierten Timer bei meiner Rückkehr &amp;fortsetzen</translation>
    </message>
    <message>
        <source>Away from the desk</source>
        <translation>Nicht am Platz</translation>
    </message>
    <message>
        <source>When the screen &amp;locks</source>
        <translation>Wenn der Bildschirm &amp;gesperrt wird</translation>
    </message>
    <message>
        <source>When I am &amp;idle or asleep</source>
        <translation>Wenn ich &amp;inaktiv bin oder der Rechner schläft</translation>
    </message>
    <message>
        <source>&amp;Away after</source>
        <translation>&amp;Abwesend nach</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source> h</source>
        <translation> h</translation>
    </message>
    <message>
        <source>Remind me when &amp;not tracking after</source>
        <translation>&amp;Erinnern, wenn keine Zeit erfasst wird, nach</translation>
    </message>
    <message>
        <source>Work days</source>
        <translation>Arbeitstage</translation>
    </message>
    <message>
        <source>Work hours</source>
        <translation>Arbeitszeit</translation>
    </message>
    <message>
        <source>The work hours must start before they end.</source>
        <translation>Die Arbeitszeit muss beginnen, bevor sie endet.</translation>
    </message>
    <message>
        <source>Warn when a timer &amp;runs over</source>
        <translation>&amp;Warnen, wenn ein Timer länger läuft als</translation>
    </message>
</context>
<context>
    <name>TimerController</name>
    <message>
        <source>awork asked us to wait %1 s more; nothing changed.</source>
        <translation>awork bittet, noch %1 s zu warten; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Could not reach awork; nothing changed.</source>
        <translation>awork nicht erreichbar; nichts wurde geändert.</translation>
    </message>
</context>
<context>
    <name>TimerDisplay</name>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation>Wird fortgesetzt…</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>Wird pausiert…</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stoppen</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird gestoppt…</translation>
    </message>
    <message>
        <source>Start &amp;again</source>
        <translation>&amp;Neu starten</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Connecting to awork…</source>
        <translation>Verbindung zu awork…</translation>
    </message>
    <message>
        <source>awork cannot be reached</source>
        <translation>awork ist nicht erreichbar</translation>
    </message>
    <message>
        <source>Signed out of awork</source>
        <translation>Von awork abgemeldet</translation>
    </message>
    <message>
        <source>awork answered with an error</source>
        <translation>awork hat mit einem Fehler geantwortet</translation>
    </message>
    <message>
        <source>Running %1</source>
        <translation>Läuft %1</translation>
    </message>
    <message>
        <source>Paused at %1</source>
        <translation>Pausiert bei %1</translation>
    </message>
    <message>
        <source>Stopped at %1</source>
        <translation>Gestoppt bei %1</translation>
    </message>
    <message>
        <source>Timer state not known yet</source>
        <translation>Timer-Status noch unbekannt</translation>
    </message>
    <message>
        <source>No timer</source>
        <translation>Kein Timer</translation>
    </message>
    <message>
        <source>%1 (unconfirmed)</source>
        <translation>%1 (unbestätigt)</translation>
    </message>
    <message>
        <source>%1 since %2</source>
        <translation>%1 seit %2</translation>
    </message>
</context>
<context>
    <name>TodayTotal</name>
    <message>
        <source>Today %1</source>
        <translation>Heute %1</translation>
    </message>
    <message>
        <source>Today %1 of %2</source>
        <translation>Heute %1 von %2</translation>
    </message>
</context>
<context>
    <name>TrayApplication</name>
    <message>
        <source>Signed out of awork</source>
        <translation>Von awork abgemeldet</translation>
    </message>
    <message>
        <source>Choose Sign in from the awork Tray menu to go on.</source>
        <translation>Wählen Sie im Menü von awork Tray „Anmelden“, um fortzufahren.</translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation>Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Sign-out</source>
        <translation>Abmeldung</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>Einstellungen nicht gespeichert</translation>
    </message>
    <message>
        <source>Could not write the settings file: %1</source>
        <translation>Die Einstellungsdatei konnte nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>awork Tray hit a problem</source>
        <translation>awork Tray ist auf ein Problem gestoßen</translation>
    </message>
    <message>
        <source>It keeps running; the details are in the log (menu: Open log folder).</source>
        <translation>Es läuft weiter; Einzelheiten stehen im Protokoll (Menü: Protokollordner öffnen).</translation>
    </message>
</context>
<context>
    <name>tray_app</name>
    <message>
        <source>Keychain</source>
        <translation>Schlüsselbund</translation>
    </message>
    <message>
        <source>Open this page to sign in</source>
        <translation>Öffnen Sie diese Seite, um sich anzumelden</translation>
    </message>
</context>
</TS>
