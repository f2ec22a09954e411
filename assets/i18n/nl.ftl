# Parla — Nederlands

# Lines: forwarding, identities, feature codes, auto-answer
forwarding-title = Doorschakelen
forwarding-hint = Stuur de oproepen van deze lijn naar een ander nummer of adres. Laat een veld leeg om die doorschakeling uit te zetten.
forwarding-target-placeholder = Nummer of adres
forwarding-always = Alle oproepen doorschakelen naar
forwarding-busy = Bij in gesprek doorschakelen naar
forwarding-no-answer = Bij geen antwoord doorschakelen naar
forwarding-by-provider = Laat de provider doorschakelen (zijn codes kiezen)
forwarding-by-provider-hint = Parla kiest de dienstcodes van de lijn om door te schakelen; voeg ze toe onder Dienstcodes.
forwarding-save = Doorschakeling bewaren
forwarding-banner-settings = Instellingen voor doorschakelen
forwarding-banner-off = Uitzetten
forwarding-banner-always = Oproepen doorgeschakeld naar { $target }
forwarding-banner-busy = Bij in gesprek doorgeschakeld naar { $target }
forwarding-banner-no-answer = Na { $seconds } s doorgeschakeld naar { $target }
forwarding-banner-on = Oproepen worden doorgeschakeld
forwarding-last-call = Oproep van { $who } doorgeschakeld naar { $to }
forwarding-last-call-nowhere = Oproep van { $who } doorgeschakeld
forwarding-last-call-dismiss = Sluiten
identities-title = Nummerweergave
identities-hint = Wat de mensen die je belt te zien krijgen. De standaard wordt gebruikt, tenzij je in het kiesscherm een andere kiest.
identities-none = Geen identiteiten: oproepen tonen het eigen nummer van deze lijn.
identities-default = Standaard
identities-remove = Identiteit verwijderen
identities-name-placeholder = Getoonde naam
identities-user-placeholder = Nummer of gebruiker
identities-add = Identiteit toevoegen
identities-anonymous = Altijd anoniem bellen
codes-title = Dienstcodes
codes-hint = De stercodes van je provider, in het menu Codes van het kiesscherm.
codes-none = Nog geen dienstcodes.
codes-remove = Code verwijderen
codes-name-placeholder = Naam
codes-code-placeholder = Code, bijv. *72{"{}"}
codes-add = Code toevoegen
codes-in-call = Tijdens een gesprek sturen (als toetstonen)
codes-in-call-short = tijdens een gesprek
feature-kind-other = Overig
feature-kind-voicemail = Voicemail
feature-kind-forward-always-on = Alle oproepen doorschakelen aan
feature-kind-forward-always-off = Alle oproepen doorschakelen uit
feature-kind-forward-busy-on = Doorschakelen bij in gesprek aan
feature-kind-forward-busy-off = Doorschakelen bij in gesprek uit
feature-kind-forward-no-answer-on = Doorschakelen bij geen antwoord aan
feature-kind-forward-no-answer-off = Doorschakelen bij geen antwoord uit
feature-kind-dnd-on = Niet storen aan
feature-kind-dnd-off = Niet storen uit
feature-kind-park = Gesprek parkeren
feature-kind-unpark = Geparkeerd gesprek terugnemen
feature-kind-pickup = Oproep overnemen
feature-kind-anonymous-on = Anoniem bellen aan
feature-kind-anonymous-off = Anoniem bellen uit
dialer-call-as = Bellen als
dialer-call-as-own = { $user } (deze lijn)
dialer-call-as-anonymous = Anoniem
dialer-codes = Codes
setting-intercom = Intercom- en omroepoproepen meteen opnemen
setting-auto-answer-only = Alleen deze bellers
setting-auto-answer-only-hint = Staat er iets in de lijst, dan worden alleen deze nummers of adressen automatisch opgenomen.
setting-auto-answer-placeholder = Nummer of adres
setting-auto-answer-add = Beller toevoegen
setting-auto-answer-remove = Beller verwijderen
audio-recording-title = Opnemen en vergaderen
audio-recording-format = Opnameformaat
audio-recording-ogg = Ogg Opus (klein)
audio-recording-wav = WAV (opent overal)
audio-recording-channels = Opnamekanalen
audio-recording-stereo = Stereo (jij links, de ander rechts)
audio-recording-mono = Mono (beide kanten gemengd)
audio-conference-size = Meeste gesprekken in een vergadering
audio-conference-size-hint = Het aantal gekoppelde gesprekken, jijzelf niet meegeteld.
audio-processing-title = Microfoonbewerking
audio-echo-cancellation = Echo-onderdrukking
audio-echo-cancellation-hint = Haalt het geluid van de luidspreker uit de microfoon. Zet het uit met een headset.
audio-noise-suppression = Ruisonderdrukking
audio-auto-gain = Automatische versterking
audio-processing-hint = Gesprekken die na een wijziging beginnen, gebruiken die.

## Sign-in
sign-in-title = Meld je aan bij je telefoondienst
sign-in-edit-title = Lijn bewerken
sign-in-intro = Gebruik de gebruikersnaam en het wachtwoord die je van je provider hebt gekregen.
sign-in-address = Gebruikersnaam (gebruiker@domein)
sign-in-password = Wachtwoord
sign-in-advanced = Geavanceerde instellingen
sign-in-display-name = Je naam (zichtbaar voor wie je belt)
sign-in-registrar = Server
sign-in-found-from-domain = Gevonden via het domein
sign-in-proxy = Uitgaande proxy
sign-in-none = Geen
sign-in-transport = Transport
sign-in-port = Poort
sign-in-submit = Aanmelden
sign-in-save = Opslaan
sign-in-waiting = Bezig met aanmelden…
sign-in-local-only = Zonder account gebruiken
sign-in-error-address = Typ je gebruikersnaam als gebruiker@domein, bijvoorbeeld anna@sip.voorbeeld.nl.
sign-in-error-password = Typ je wachtwoord.
sign-in-error-port = De poort moet een getal van 1 tot 65535 zijn.
sign-in-error-credentials = De gebruikersnaam of het wachtwoord klopt niet. Controleer ze en probeer het opnieuw.
sign-in-error-unknown-user = De server kent deze gebruikersnaam niet.
sign-in-error-unreachable = De server antwoordde niet. Controleer het domein en je internetverbinding.
sign-in-error-refused = De server weigerde de aanmelding: { $reason } ({ $code }).

## Lines
line-local = Lokaal (directe gesprekken)
line-registered = Aangemeld
line-registering = Bezig met aanmelden…
line-failed = Niet aangemeld
line-listening = Wacht op directe gesprekken
line-off = Uit
line-add = Lijn toevoegen
line-is-default = Standaardlijn
line-make-default = Standaard maken

## Main window
tab-phone = Telefoon
tab-settings = Instellingen
dnd-on = Niet storen
missed-calls = { $count ->
    [one] 1 gemiste oproep
   *[other] { $count } gemiste oproepen
}
notice-save-failed = De instellingen konden niet worden opgeslagen: { $error }
keyring-missing = Er is geen sleutelbos beschikbaar om je wachtwoord veilig te bewaren.
keyring-keep-in-file = Bewaar het in het instellingenbestand
keyring-do-not-keep = Niet bewaren

## Dialer
dialer-placeholder = Nummer of adres
dialer-line = Lijn
dialer-call = Bellen

## Calls
call-calling = Bezig met bellen…
call-ringing = Gaat over…
call-incoming = Inkomende oproep
call-answering-machine = Neemt een bericht op
call-held-by-them = In de wacht gezet door de andere kant
call-on-hold = In de wacht
call-ended = Gesprek beëindigd
call-output = Geluid naar
answer = Opnemen
decline = Weigeren
hang-up = Ophangen
mute = Dempen
unmute = Dempen opheffen
hold = In de wacht
resume = Hervatten
keypad = Toetsen
quality-good = Goed geluid
quality-fair = Redelijk geluid
quality-poor = Slecht geluid
quality-mos-tip = Geschat uit vertraging, verlies en jitter (ITU-T G.107): { $mos } van 4,5

## Incoming-call popup and notifications
popup-title = Inkomende oproep – Parla
popup-incoming = Inkomende oproep
popup-on-line = op { $line }
notify-incoming-title = Inkomende oproep
notify-missed-title = Gemiste oproep

## Tray
tray-show = Parla tonen
tray-hide = Parla verbergen
tray-dnd = Niet storen
tray-quit = Afsluiten
tray-registered = Aangemeld
tray-unregistered = Niet aangemeld
tray-some-down = Sommige lijnen zijn niet aangemeld
tray-no-lines = Geen lijnen

## Settings
settings-lines = Lijnen
settings-audio = Geluid
settings-codecs = Codecs (op volgorde van voorkeur)
settings-calls = Gesprekken
audio-input = Microfoon
audio-output = Luidspreker
audio-ring = Beltoon via
audio-test-start = Geluid testen
audio-test-stop = Test stoppen
audio-test-hint = De test speelt je stem met een korte vertraging terug, zoals de andere kant je hoort.
audio-refresh = Apparaten zoeken
setting-dnd = Niet storen (inkomende oproepen weigeren)
setting-auto-answer = Inkomende oproepen automatisch opnemen
setting-ask-line = Vragen welke lijn te gebruiken voor links
setting-language = Taal
setting-start-minimised = Geminimaliseerd in het systeemvak starten
setting-start-at-login = Starten bij het aanmelden
settings-help = Hulp
help-diagnostics-hint = Voor een foutmelding: één archief met de recente logboeken, het SIP-spoor, de kwaliteit van de laatste gesprekken, de geluidsapparaten, de instellingen zonder wachtwoorden en de versies. Het wordt opgeslagen in de map Downloads, anders in de profielmap.
help-save-diagnostics = Diagnose opslaan
notice-diagnostics-saved = Diagnose opgeslagen in { $path }
notice-diagnostics-failed = De diagnose kon niet worden opgeslagen: { $error }
edit = Bewerken
remove = Verwijderen
cancel = Annuleren

## Contacts and history
tab-contacts = Contacten
tab-history = Historie
notice-db-moved = De contactendatabase kon niet worden gelezen; ze is verplaatst naar { $path } en er is een nieuwe gestart.
filter-all = Alle
filter-favourites = Favorieten
filter-personal = Persoonlijk
filter-shared = Bedrijfsgids
filter-blocked = Geblokkeerd
contacts-search = Zoek naam, bedrijf, e-mail of nummer
contact-blocked = Geblokkeerd
back = Terug
label-work = Werk
label-mobile = Mobiel
label-home = Thuis
label-other = Overig
contact-favourite = Aan favorieten toevoegen
contact-unfavourite = Uit favorieten halen
contact-block = Oproepen blokkeren
contact-unblock = Blokkering opheffen
contact-shared = Uit de bedrijfsgids: alleen daar te wijzigen.
contact-new-title = Nieuw contact
contact-edit-title = Contact bewerken
contact-first-name = Voornaam
contact-last-name = Achternaam
contact-company = Bedrijf
contact-phone = Telefoon
contact-email = E-mail
contact-street = Straat
contact-city = Plaats
contact-state = Provincie
contact-postal-code = Postcode
contact-country = Land
contact-notes = Notities
contact-error-phone = Dit is geen telefoonnummer: gebruik alleen cijfers, spaties en + ( ) -.
contact-error-email = Dit is geen e-mailadres (naam@voorbeeld.nl).
contact-error-empty = Een contact heeft een naam, een bedrijf of een telefoonnummer nodig.
history-missed = Gemist
history-incoming = Inkomend
history-outgoing = Uitgaand
history-search = Zoek naam of nummer
history-clear = Alles wissen
history-call-back = Terugbellen
result-answered = Beantwoord
result-missed = Gemist
result-declined = Geweigerd
result-busy = In gesprek
result-failed = Mislukt
result-blocked = Geblokkeerd
result-cancelled = Geannuleerd
result-forwarded = Doorgeschakeld
notice-directory-failed = De bedrijfsgids van { $line } kon niet worden gelezen: { $error }. De contacten van de laatste synchronisatie blijven staan.

# Fouten van de engine, per soort ({ $detail } is de tekst van de engine, in het Engels).
notice-db-unavailable = De contactendatabase kan niet worden geopend: { $error }. Gesprekken gaan door zonder namen of geschiedenis.
error-bad-command = Dat is geen opdracht die Parla begrijpt.
error-engine-busy = Parla is bezig; probeer het opnieuw.
error-no-such-call = Dat gesprek is al beëindigd.
error-no-such-account = Die lijn bestaat niet of staat uit.
error-no-account = Er is geen lijn om mee te bellen: voeg er een toe in Instellingen.
error-account-stopped = Die lijn is gestopt.
error-invalid-account = De instellingen van de lijn kunnen niet werken: { $detail }
error-invalid-audio = De geluidsinstellingen kunnen niet werken: { $detail }
error-too-many-calls = Er zijn te veel gesprekken tegelijk; beëindig er eerst een.
error-call-not-connected = Het gesprek is nog niet verbonden.
error-cannot-answer = Dat gesprek kan niet worden aangenomen.
error-hold-failed = De andere kant accepteerde de wachtstand of de hervatting niet.
error-transfer-failed = Het gesprek is niet doorverbonden; het gaat door zoals het was.
error-no-voicemail-number = Deze lijn heeft geen voicemailnummer. Stel er een in bij Instellingen.
error-dtmf-failed = De toetsen konden niet worden verstuurd.
error-devices-not-switched = Het gesprek blijft op zijn geluidsapparaten: { $detail }
error-devices-unavailable = De geluidsapparaten konden niet worden opgesomd.
error-echo-test-not-running = De geluidstest loopt niet.
error-store-unavailable = De contactendatabase is niet beschikbaar: { $detail }
error-invalid-contact = Dit contact kan niet worden opgeslagen: het heeft een naam, een bedrijf of een telefoonnummer nodig.
error-not-found = Dat contact of gesprek is er niet meer.
error-internal = Er ging iets mis in Parla: { $detail }
error-diagnostics-failed = De diagnose kon niet worden opgeslagen: { $detail }

# Appearance.
settings-appearance = Weergave
setting-theme = Kleuren
theme-system = Zoals het bureaublad
theme-light = Licht
theme-dark = Donker

# Call times in the history and on a contact: { $time } is the hour, 24-hour, as 16:15.
when-today = Vandaag { $time }
when-yesterday = Gisteren { $time }
dialer-backspace = Laatste cijfer wissen

# Contacts and history as lists (rows, empty states, the contact form's sections).
history-empty-title = Nog geen gesprekken
history-empty-hint = Gesprekken die je voert en ontvangt verschijnen hier.
history-no-match-title = Geen gesprekken gevonden
history-no-match-hint = Probeer andere woorden of een ander filter.
history-delete = Uit geschiedenis verwijderen
contacts-add = Toevoegen
contacts-import = CSV importeren
contacts-import-hide = Verbergen
contacts-empty-title = Nog geen contacten
contacts-empty-hint = Voeg er een toe of importeer een CSV-bestand.
contacts-no-match-title = Geen contacten gevonden
contacts-no-match-hint = Probeer andere woorden of een ander filter.
contact-delete-confirm = Druk nogmaals om te verwijderen
contact-section-phones = Telefoonnummers
contact-section-emails = E-mailadressen
contact-section-address = Adres
contact-add-phone = Nummer toevoegen
contact-add-email = E-mail toevoegen

# Settings sections.
settings-advanced = Geavanceerd
settings-startup = Opstarten
audio-devices = Apparaten
audio-test-title = Geluidstest
device-default = Systeemstandaard
device-none = Geen geluid
line-enable = Deze lijn gebruiken
lines-empty = Nog geen lijnen
lines-empty-hint = Voeg de lijn van je provider toe om te bellen en gebeld te worden.
codec-earlier = Omhoog
codec-later = Omlaag
setting-scale = Grootte
setting-compact = Compact venster (alleen het kiesvenster, de lijnen en de gesprekken)
error-import-failed = Er is niets geïmporteerd: { $detail }
contacts-import-title = Contacten importeren
contacts-import-placeholder = /home/jij/contacten.csv
contacts-import-help = Een CSV- of vCard-bestand (.csv, .vcf). Je kunt het bestand ook op het venster slepen.
contacts-import-start = Importeren
contacts-importing = Bezig met importeren…
contacts-imported = { $count ->
    [0] Geen nieuwe contacten geïmporteerd
    [one] Eén contact geïmporteerd
   *[other] { $count } contacten geïmporteerd
}
contacts-import-refused = { $count ->
    [one] één rij overgeslagen
   *[other] { $count } rijen overgeslagen
}
contacts-import-result = { $imported }, { $refused }
notice-drop-not-contacts = Alleen een CSV- of vCard-bestand (.csv, .vcf) kan op Parla worden gesleept: de contacten worden geïmporteerd.
call-swap = Naar dit gesprek wisselen (het andere wacht in de wacht)
setting-music-on-hold = Muziek voor wie je in de wacht zet
music-builtin = De muziek van Parla
music-off = Geen (de telefooncentrale speelt eigen muziek)
call-waiting = Er wacht nog een gesprek
call-transfer = Doorverbinden
call-active = Actief
call-transferring = Doorverbinden…
call-add = Gesprek toevoegen
call-transfer-now = Nu doorverbinden
call-consult = Eerst overleggen
call-complete-transfer = Doorverbinden voltooien
call-consult-about = { $held } doorverbinden met { $target }
line-transfers = Doorverbinden door de andere kant
transfers-any = Toestaan naar elk adres
transfers-domain = Toestaan binnen het domein van deze lijn
transfers-never = Weigeren

## Voicemail
voicemail = Voicemail
voicemail-new = { $count ->
    [one] 1 nieuw voicemailbericht
   *[other] { $count } nieuwe voicemailberichten
}
line-message-waiting = Voicemaillampje (wachtend bericht)
line-voicemail-number = Voicemailnummer
line-voicemail-number-placeholder = Van de server

# The Voicemail tab (the answering machine's messages)
tab-voicemail = Voicemail
voicemail-empty-title = Geen berichten
voicemail-empty-hint = Berichten die bellers op het antwoordapparaat inspreken, staan hier.
voicemail-missing = ontbreekt
voicemail-missing-file = Het geluidsbestand van dit bericht ontbreekt.
voicemail-play = Afspelen
voicemail-pause = Pauzeren
voicemail-export = Exporteren
voicemail-exported = Opgeslagen in { $path }
voicemail-mark-heard = Markeren als beluisterd
voicemail-mark-unheard = Markeren als niet beluisterd
voicemail-delete = Verwijderen
voicemail-delete-confirm = Definitief verwijderen
history-open-voicemail = Bericht beluisteren
error-file-missing = Het geluidsbestand van het bericht ontbreekt.
error-export-failed = Het bericht kon niet worden geëxporteerd: { $detail }

# A line's own settings page and its answering machine
line-details = Instellingen van deze lijn
line-calls = Gesprekken op deze lijn
machine-on = Antwoordapparaat aan
machine-title = Antwoordapparaat
machine-enable = Een bericht opnemen als ik niet opneem
machine-hint = Parla neemt de gesprekken aan die jij niet aanneemt, speelt een begroeting af en neemt een bericht op.
machine-answer-after = Opnemen na
machine-seconds = { $seconds } s
machine-when-dnd = Bij niet storen meteen opnemen
machine-dnd-now = Niet storen staat aan: gesprekken gaan meteen naar het antwoordapparaat.
machine-max-message = Langste bericht
machine-greeting = Begroeting
step-less = Minder
step-more = Meer
greeting-default = Standaardtonen
greeting-own = Mijn opname
greeting-record = Opnemen
greeting-stop = Stoppen
greeting-listen = Beluisteren
greeting-keep = Bewaren
greeting-recording = Bezig met opnemen… { $time }
greeting-draft = Nieuwe opname ({ $time }), nog niet bewaard
greeting-in-use = In gebruik: { $file }
greeting-none = Nog niets opgenomen.
greeting-file = Of een WAV-bestand
greeting-file-placeholder = /home/jij/begroeting.wav
greeting-use-file = Dit bestand gebruiken
call-pick-up = Aannemen
notify-voicemail-from = Nieuw voicemailbericht van { $name } ({ $duration })

## Chat (text messages)
tab-chat = Chat
chat-new = Nieuw bericht
chat-empty-title = Nog geen berichten
chat-empty-hint = Tekstberichten die je verstuurt en ontvangt, verschijnen hier.
chat-unread = { $count ->
    [one] 1 ongelezen
   *[other] { $count } ongelezen
}
chat-unread-messages = { $count ->
    [one] 1 ongelezen bericht
   *[other] { $count } ongelezen berichten
}
chat-you = Jij: { $text }
chat-thread-empty-title = Nog geen berichten
chat-thread-empty-hint = Schrijf hieronder het eerste aan { $name }.
chat-compose = Bericht
chat-send = Versturen
chat-sending = Versturen…
chat-sent = Verstuurd
chat-failed = Niet verstuurd
chat-failed-why = Niet verstuurd: { $reason }
chat-retry = Opnieuw
chat-to = Nummer of adres
chat-write = Schrijven
chat-reply = Beantwoorden
call-message = Bericht
contact-message = Bericht sturen

## Busy lamps and presence
lamps-title = Bezetlampjes
lamp-idle = Vrij
lamp-ringing = Gaat over
lamp-busy = In gesprek
lamp-unknown = Onbekend
lamp-pickup = Klik om het gesprek op te nemen dat bij { $who } overgaat
lamp-transfer = Klik om het gesprek door te verbinden met { $who }
lamp-call = Klik om { $who } te bellen
lamps-hint = Toestellen of adressen waarvan deze lijn de gesprekken op het tabblad Telefoon toont. Een klik neemt een gesprek op dat daar overgaat, belt ze, of verbindt je gesprek met ze door.
lamps-none = Nog geen toestellen gevolgd.
lamps-add = Volgen
lamps-add-placeholder = Toestel of adres, bijv. 201
lamps-remove = Niet meer volgen
lamps-pickup-code = Opnamecode
lamps-pickup-placeholder = bijv. **
contact-watch = Volgen bij de bezetlampjes
filter-online = Online
presence-own = Je status, zoals anderen die zien
presence-available = Beschikbaar
presence-away = Afwezig
presence-busy = Bezet

# Chat: deleting a conversation (asked twice)
chat-delete = Gesprek verwijderen
chat-delete-ask = Alle berichten met { $name } verwijderen?
chat-delete-confirm = Definitief verwijderen

# Calls: conference, recording, park
call-merge = Samenvoegen
call-park = Parkeren
call-record = Opnemen
call-record-stop = Opname stoppen
conference-title = Conferentie · { $count } personen
conference-in = In conferentie
conference-muted = Gedempt
conference-mute-participant = Deze persoon dempen voor de anderen
conference-unmute-participant = Deze persoon weer laten horen
conference-split = Uit de conferentie halen (in de wacht)
conference-hang-up-participant = Deze persoon ophangen
conference-add = Aan conferentie toevoegen
conference-end = Conferentie beëindigen
park-parked-on = Geparkeerd op { $orbit }
park-parked = Geparkeerd
history-open-recording = Opname openen
history-recording-not-opened = De opname kon niet worden geopend: { $detail }
error-recording-failed = De opname is gestopt: het bestand kon niet worden geschreven. Het gesprek gaat door.
error-invalid-message = Het bericht is leeg of te lang; het is niet verstuurd.
error-pickup-failed = Daar is geen gesprek om op te nemen.
error-conference-failed = De gesprekken konden niet worden samengevoegd; ze gaan door zoals ze waren.
error-park-failed = Het gesprek kon niet worden geparkeerd; het gaat door.
error-no-such-feature-code = Deze lijn heeft die code niet.
error-no-such-identity = Deze lijn heeft die identiteit niet.
error-forwarding-failed = Het doorschakelen kon niet worden gewijzigd.
result-interrupted = Onderbroken
call-encrypted-tip = Versleuteld in beide richtingen ({ $suite })
line-callable-at = Anderen bellen { $address }

## A line's security and network
security-title = Beveiliging en netwerk
security-srtp = Versleutelde audio (SRTP)
srtp-off = Uit
srtp-when-offered = Waar mogelijk
srtp-required = Altijd: onversleutelde gesprekken weigeren
security-srtp-hint-tls = De audio wordt versleuteld zodra de andere kant dat kan; de sleutels gaan mee binnen de TLS-verbinding van de lijn.
security-srtp-hint-plain = Deze lijn gebruikt geen TLS, dus de sleutels zouden leesbaar over het netwerk gaan. Met ‘Waar mogelijk’ versleutelt Parla alleen gesprekken die de andere kant versleuteld aanbiedt; kies TLS als transport van de lijn om je eigen gesprekken te versleutelen.
security-keepalive = Keep-alive
keepalive-off = Uit
keepalive-every = Elke { $seconds } s
security-keepalive-hint = Een klein pakketje naar de server met deze tussenpoos houdt de lijn bereikbaar achter een router of firewall (NAT).
security-direct-calls = Directe oproepen
direct-calls-local = Alleen vanuit het lokale netwerk
direct-calls-anywhere = Van overal
security-direct-calls-hint-local = Oproepen rechtstreeks naar deze computer worden alleen aangenomen vanuit privénetwerken en van deze computer zelf.
security-direct-calls-hint-anywhere = Iedereen die deze computer kan bereiken kan hem laten overgaan, ook scanners op internet.
