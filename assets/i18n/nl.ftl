# Parla — Nederlands

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
settings-general = Algemeen
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
edit = Bewerken
remove = Verwijderen
cancel = Annuleren
