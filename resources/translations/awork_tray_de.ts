<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
