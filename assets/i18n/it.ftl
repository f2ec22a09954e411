# Parla — Italiano

# Lines: forwarding, identities, feature codes, auto-answer
forwarding-title = Inoltro
forwarding-hint = Invia le chiamate di questa linea a un altro numero o indirizzo. Lascia un campo vuoto per disattivare quell'inoltro.
forwarding-target-placeholder = Numero o indirizzo
forwarding-always = Inoltra tutte le chiamate a
forwarding-busy = Se occupato, inoltra a
forwarding-no-answer = Se non rispondi, inoltra a
forwarding-by-provider = Lascia inoltrare al gestore (componi i suoi codici)
forwarding-by-provider-hint = Parla compone i codici servizio della linea per l'inoltro; aggiungili in Codici servizio.
forwarding-save = Salva inoltro
forwarding-banner-settings = Impostazioni di inoltro
forwarding-banner-off = Disattiva
forwarding-banner-always = Chiamate inoltrate a { $target }
forwarding-banner-busy = Inoltro se occupato a { $target }
forwarding-banner-no-answer = Inoltro dopo { $seconds } s a { $target }
forwarding-banner-on = Le chiamate vengono inoltrate
forwarding-last-call = Chiamata di { $who } inoltrata a { $to }
forwarding-last-call-nowhere = Chiamata di { $who } inoltrata
forwarding-last-call-dismiss = Chiudi
identities-title = ID chiamante
identities-hint = Ciò che vedono le persone che chiami. Si usa quella predefinita, a meno che tu ne scelga un'altra nel tastierino.
identities-none = Nessuna identità: le chiamate mostrano il numero di questa linea.
identities-default = Predefinita
identities-remove = Rimuovi identità
identities-name-placeholder = Nome mostrato
identities-user-placeholder = Numero o utente
identities-add = Aggiungi identità
identities-anonymous = Chiama sempre in modo anonimo
codes-title = Codici servizio
codes-hint = I codici con asterisco del tuo gestore, nel menu Codici del tastierino.
codes-none = Ancora nessun codice servizio.
codes-remove = Rimuovi codice
codes-name-placeholder = Nome
codes-code-placeholder = Codice, ad es. *72{"{}"}
codes-add = Aggiungi codice
codes-in-call = Invia durante una chiamata (come toni)
codes-in-call-short = durante una chiamata
feature-kind-other = Altro
feature-kind-voicemail = Segreteria
feature-kind-forward-always-on = Attiva inoltro di tutte le chiamate
feature-kind-forward-always-off = Disattiva inoltro di tutte le chiamate
feature-kind-forward-busy-on = Attiva inoltro se occupato
feature-kind-forward-busy-off = Disattiva inoltro se occupato
feature-kind-forward-no-answer-on = Attiva inoltro se non rispondi
feature-kind-forward-no-answer-off = Disattiva inoltro se non rispondi
feature-kind-dnd-on = Attiva non disturbare
feature-kind-dnd-off = Disattiva non disturbare
feature-kind-park = Parcheggia una chiamata
feature-kind-unpark = Riprendi una chiamata parcheggiata
feature-kind-pickup = Rispondi per un collega
feature-kind-anonymous-on = Attiva chiamate anonime
feature-kind-anonymous-off = Disattiva chiamate anonime
dialer-call-as = Chiama come
dialer-call-as-own = { $user } (questa linea)
dialer-call-as-anonymous = Anonimo
dialer-codes = Codici
setting-intercom = Rispondi subito alle chiamate interfono e di annuncio
setting-auto-answer-only = Solo questi chiamanti
setting-auto-answer-only-hint = Se l'elenco ha voci, si risponde automaticamente solo a questi numeri o indirizzi.
setting-auto-answer-placeholder = Numero o indirizzo
setting-auto-answer-add = Aggiungi chiamante
setting-auto-answer-remove = Rimuovi chiamante
audio-recording-title = Registrazione e conferenze
audio-recording-format = Formato di registrazione
audio-recording-ogg = Ogg Opus (piccolo)
audio-recording-wav = WAV (si apre ovunque)
audio-recording-channels = Canali di registrazione
audio-recording-stereo = Stereo (tu a sinistra, l'altra parte a destra)
audio-recording-mono = Mono (entrambe le parti mixate)
audio-conference-size = Massimo di chiamate in una conferenza
audio-conference-size-hint = Conta le chiamate unite, te escluso.
audio-processing-title = Elaborazione del microfono
audio-echo-cancellation = Cancellazione dell'eco
audio-echo-cancellation-hint = Toglie dal microfono il suono dell'altoparlante. Disattivala con le cuffie.
audio-noise-suppression = Riduzione del rumore
audio-auto-gain = Guadagno automatico
audio-processing-hint = Le chiamate che iniziano dopo una modifica la applicano.

## Sign-in
sign-in-title = Accedi al tuo servizio telefonico
sign-in-edit-title = Modifica linea
sign-in-intro = Usa il nome utente e la password forniti dal tuo operatore.
sign-in-address = Nome utente (utente@dominio)
sign-in-password = Password
sign-in-advanced = Impostazioni avanzate
sign-in-display-name = Il tuo nome (visibile a chi chiami)
sign-in-registrar = Server
sign-in-found-from-domain = Ricavato dal dominio
sign-in-proxy = Proxy in uscita
sign-in-none = Nessuno
sign-in-transport = Trasporto
sign-in-port = Porta
sign-in-submit = Accedi
sign-in-save = Salva
sign-in-waiting = Accesso in corso…
sign-in-local-only = Usa senza account
sign-in-error-address = Scrivi il nome utente come utente@dominio, per esempio anna@sip.esempio.it.
sign-in-error-password = Scrivi la password.
sign-in-error-port = La porta deve essere un numero tra 1 e 65535.
sign-in-error-credentials = Il nome utente o la password non sono corretti. Controllali e riprova.
sign-in-error-unknown-user = Il server non conosce questo nome utente.
sign-in-error-unreachable = Il server non ha risposto. Controlla il dominio e la connessione a internet.
sign-in-error-refused = Il server ha rifiutato l'accesso: { $reason } ({ $code }).

## Lines
line-local = Locale (chiamate dirette)
line-registered = Connessa
line-registering = Connessione in corso…
line-failed = Non connessa
line-listening = In attesa di chiamate dirette
line-off = Spenta
line-add = Aggiungi una linea
line-is-default = Linea predefinita
line-make-default = Rendi predefinita

## Main window
tab-phone = Telefono
tab-settings = Impostazioni
dnd-on = Non disturbare
missed-calls = { $count ->
    [one] 1 chiamata persa
   *[other] { $count } chiamate perse
}
notice-save-failed = Non è stato possibile salvare le impostazioni: { $error }
keyring-missing = Non c'è un portachiavi disponibile per custodire la password in modo sicuro.
keyring-keep-in-file = Conservala nel file delle impostazioni
keyring-do-not-keep = Non conservarla

## Dialer
dialer-placeholder = Numero o indirizzo
dialer-line = Linea
dialer-call = Chiama

## Calls
call-calling = Chiamata in corso…
call-ringing = Squilla…
call-incoming = Chiamata in arrivo
call-answering-machine = Registrazione messaggio
call-held-by-them = In attesa dall'altra parte
call-on-hold = In attesa
call-ended = Chiamata terminata
call-output = Audio su
answer = Rispondi
decline = Rifiuta
hang-up = Riaggancia
mute = Disattiva microfono
unmute = Attiva microfono
hold = Metti in attesa
resume = Riprendi
keypad = Tastiera
quality-good = Audio buono
quality-fair = Audio discreto
quality-poor = Audio scarso
quality-mos-tip = Stima da ritardo, perdite e jitter (ITU-T G.107): { $mos } su 4,5

## Incoming-call popup and notifications
popup-title = Chiamata in arrivo – Parla
popup-incoming = Chiamata in arrivo
popup-on-line = su { $line }
notify-incoming-title = Chiamata in arrivo
notify-missed-title = Chiamata persa

## Tray
tray-show = Mostra Parla
tray-hide = Nascondi Parla
tray-dnd = Non disturbare
tray-quit = Esci
tray-registered = Connesso
tray-unregistered = Non connesso
tray-some-down = Alcune linee non sono connesse
tray-no-lines = Nessuna linea

## Settings
settings-lines = Linee
settings-audio = Audio
settings-codecs = Codec (in ordine di preferenza)
settings-calls = Chiamate
audio-input = Microfono
audio-output = Altoparlante
audio-ring = Suoneria su
audio-test-start = Prova audio
audio-test-stop = Ferma la prova
audio-test-hint = La prova ti fa risentire la tua voce con un breve ritardo, come la sentirebbe l'altra parte.
audio-refresh = Cerca dispositivi
setting-dnd = Non disturbare (rifiuta le chiamate in arrivo)
setting-auto-answer = Rispondi automaticamente alle chiamate in arrivo
setting-ask-line = Chiedi quale linea usare per i link
setting-language = Lingua
setting-start-minimised = Avvia ridotto nell'area di notifica
setting-start-at-login = Avvia all'accesso
settings-help = Aiuto
help-diagnostics-hint = Per segnalare un problema: un archivio con i log recenti, la traccia SIP, la qualità delle ultime chiamate, i dispositivi audio, le impostazioni senza password e le versioni. Viene salvato nella cartella Scaricati o, se manca, nella cartella del profilo.
help-save-diagnostics = Salva diagnostica
notice-diagnostics-saved = Diagnostica salvata in { $path }
notice-diagnostics-failed = Impossibile salvare la diagnostica: { $error }
edit = Modifica
remove = Rimuovi
cancel = Annulla

## Contacts and history
tab-contacts = Contatti
tab-history = Cronologia
notice-db-moved = Non è stato possibile leggere il database dei contatti; è stato spostato in { $path } e ne è stato creato uno nuovo.
filter-all = Tutti
filter-favourites = Preferiti
filter-personal = Personali
filter-shared = Rubrica aziendale
filter-blocked = Bloccati
contacts-search = Cerca nome, azienda, email o numero
contact-blocked = Bloccato
back = Indietro
label-work = Lavoro
label-mobile = Cellulare
label-home = Casa
label-other = Altro
contact-favourite = Aggiungi ai preferiti
contact-unfavourite = Rimuovi dai preferiti
contact-block = Blocca chiamate
contact-unblock = Sblocca chiamate
contact-shared = Dalla rubrica aziendale: si può modificare solo lì.
contact-new-title = Nuovo contatto
contact-edit-title = Modifica contatto
contact-first-name = Nome
contact-last-name = Cognome
contact-company = Azienda
contact-phone = Telefono
contact-email = Email
contact-street = Via
contact-city = Città
contact-state = Provincia
contact-postal-code = CAP
contact-country = Paese
contact-notes = Note
contact-error-phone = Questo non è un numero di telefono: usa solo cifre, spazi e + ( ) -.
contact-error-email = Questo non è un indirizzo email (nome@esempio.it).
contact-error-empty = Un contatto ha bisogno di un nome, un'azienda o un numero di telefono.
history-missed = Perse
history-incoming = In arrivo
history-outgoing = In uscita
history-search = Cerca nome o numero
history-clear = Cancella tutto
history-call-back = Richiama
result-answered = Risposta
result-missed = Persa
result-declined = Rifiutata
result-busy = Occupato
result-failed = Non riuscita
result-blocked = Bloccata
result-cancelled = Annullata
result-forwarded = Inoltrata
notice-directory-failed = Non è stato possibile leggere la rubrica aziendale di { $line }: { $error }. Restano i contatti dell'ultima sincronizzazione.

# Errori del motore, per tipo ({ $detail } è il testo del motore, in inglese).
notice-db-unavailable = Non è possibile aprire il database dei contatti: { $error }. Le chiamate continuano senza nomi né cronologia.
error-bad-command = Parla non capisce questo comando.
error-engine-busy = Parla è occupato; riprova.
error-no-such-call = Questa chiamata è già terminata.
error-no-such-account = Questa linea non esiste o è disattivata.
error-no-account = Non c'è nessuna linea da cui chiamare: aggiungine una nelle Impostazioni.
error-account-stopped = Questa linea si è fermata.
error-invalid-account = Le impostazioni della linea non possono funzionare: { $detail }
error-invalid-audio = Le impostazioni audio non possono funzionare: { $detail }
error-too-many-calls = Ci sono troppe chiamate insieme; chiudine prima una.
error-call-not-connected = La chiamata non è ancora collegata.
error-cannot-answer = Non si può rispondere a questa chiamata.
error-hold-failed = L'altra parte non ha accettato l'attesa o la ripresa.
error-transfer-failed = La chiamata non è stata trasferita; continua come prima.
error-no-voicemail-number = Questa linea non ha un numero di segreteria. Impostalo nelle Impostazioni.
error-dtmf-failed = Non è stato possibile inviare i tasti.
error-devices-not-switched = La chiamata resta sui suoi dispositivi audio: { $detail }
error-devices-unavailable = Non è stato possibile elencare i dispositivi audio.
error-echo-test-not-running = La prova audio non è in corso.
error-store-unavailable = Il database dei contatti non è disponibile: { $detail }
error-invalid-contact = Non si può salvare questo contatto: serve un nome, un'azienda o un numero di telefono.
error-not-found = Questo contatto o questa chiamata non c'è più.
error-internal = Qualcosa è andato storto in Parla: { $detail }
error-diagnostics-failed = Non è stato possibile salvare la diagnostica: { $detail }

# Appearance.
settings-appearance = Aspetto
setting-theme = Colori
theme-system = Come il desktop
theme-light = Chiaro
theme-dark = Scuro

# Call times in the history and on a contact: { $time } is the hour, 24-hour, as 16:15.
when-today = Oggi { $time }
when-yesterday = Ieri { $time }
dialer-backspace = Cancella l'ultima cifra

# Contacts and history as lists (rows, empty states, the contact form's sections).
history-empty-title = Ancora nessuna chiamata
history-empty-hint = Qui compaiono le chiamate che fai e ricevi.
history-no-match-title = Nessuna chiamata corrisponde
history-no-match-hint = Prova altre parole o un altro filtro.
history-delete = Elimina dalla cronologia
contacts-add = Aggiungi
contacts-import = Importa CSV
contacts-import-hide = Nascondi
contacts-empty-title = Ancora nessun contatto
contacts-empty-hint = Aggiungine uno o importa un file CSV.
contacts-no-match-title = Nessun contatto corrisponde
contacts-no-match-hint = Prova altre parole o un altro filtro.
contact-delete-confirm = Premi di nuovo per rimuovere
contact-section-phones = Numeri di telefono
contact-section-emails = Indirizzi email
contact-section-address = Indirizzo
contact-add-phone = Aggiungi numero
contact-add-email = Aggiungi email

# Settings sections.
settings-advanced = Avanzate
settings-startup = Avvio
audio-devices = Dispositivi
audio-test-title = Prova del suono
device-default = Predefinito di sistema
device-none = Nessun suono
line-enable = Usa questa linea
lines-empty = Ancora nessuna linea
lines-empty-hint = Aggiungi la linea che ti ha dato il tuo operatore per fare e ricevere chiamate.
codec-earlier = Sposta su
codec-later = Sposta giù
setting-scale = Dimensione
setting-compact = Finestra compatta (solo tastierino, linee e chiamate)
error-import-failed = Non è stato importato nulla: { $detail }
contacts-import-title = Importa contatti
contacts-import-placeholder = /home/tu/contatti.csv
contacts-import-help = Un file CSV o vCard (.csv, .vcf). Puoi anche trascinare il file sulla finestra.
contacts-import-start = Importa
contacts-importing = Importazione…
contacts-imported = { $count ->
    [0] Nessun nuovo contatto importato
    [one] Importato un contatto
   *[other] Importati { $count } contatti
}
contacts-import-refused = { $count ->
    [one] una riga saltata
   *[other] { $count } righe saltate
}
contacts-import-result = { $imported }, { $refused }
notice-drop-not-contacts = Su Parla si può trascinare solo un file CSV o vCard (.csv, .vcf): i suoi contatti vengono importati.
call-swap = Passa a questa chiamata (l'altra resta in attesa)
setting-music-on-hold = Musica per chi metti in attesa
music-builtin = La musica di Parla
music-off = Nessuna (il centralino mette la sua)
call-waiting = Un'altra chiamata in attesa
call-transfer = Trasferisci
call-active = Attiva
call-transferring = Trasferimento…
call-add = Aggiungi chiamata
call-transfer-now = Trasferisci ora
call-consult = Consulta prima
call-complete-transfer = Completa il trasferimento
call-consult-about = Trasferire { $held } a { $target }
line-transfers = Trasferimenti dall'altra parte
transfers-any = Accetta verso qualsiasi indirizzo
transfers-domain = Accetta nel dominio di questa linea
transfers-never = Rifiuta

## Voicemail
voicemail = Segreteria
voicemail-new = { $count ->
    [one] 1 nuovo messaggio in segreteria
   *[other] { $count } nuovi messaggi in segreteria
}
line-message-waiting = Spia della segreteria (messaggio in attesa)
line-voicemail-number = Numero della segreteria
line-voicemail-number-placeholder = Quello del server

# The Voicemail tab (the answering machine's messages)
tab-voicemail = Segreteria
voicemail-empty-title = Nessun messaggio
voicemail-empty-hint = Qui compaiono i messaggi lasciati in segreteria.
voicemail-missing = mancante
voicemail-missing-file = Il file audio di questo messaggio manca.
voicemail-play = Riproduci
voicemail-pause = Pausa
voicemail-export = Esporta
voicemail-exported = Salvato in { $path }
voicemail-mark-heard = Segna come ascoltato
voicemail-mark-unheard = Segna come da ascoltare
voicemail-delete = Elimina
voicemail-delete-confirm = Elimina definitivamente
history-open-voicemail = Ascolta il messaggio
error-file-missing = Il file audio del messaggio manca.
error-export-failed = Impossibile esportare il messaggio: { $detail }

# A line's own settings page and its answering machine
line-details = Impostazioni di questa linea
line-calls = Chiamate su questa linea
machine-on = Segreteria attiva
machine-title = Segreteria telefonica
machine-enable = Registra un messaggio quando non rispondo
machine-hint = Parla risponde alle chiamate che non prendi, riproduce un saluto e registra un messaggio.
machine-answer-after = Rispondi dopo
machine-seconds = { $seconds } s
machine-when-dnd = Con «Non disturbare», rispondi subito
machine-dnd-now = «Non disturbare» è attivo: le chiamate vanno subito in segreteria.
machine-max-message = Messaggio più lungo
machine-greeting = Saluto
step-less = Meno
step-more = Più
greeting-default = Toni predefiniti
greeting-own = La mia registrazione
greeting-record = Registra
greeting-stop = Ferma
greeting-listen = Ascolta
greeting-keep = Tieni
greeting-recording = Registrazione… { $time }
greeting-draft = Nuova registrazione ({ $time }), non ancora tenuta
greeting-in-use = In uso: { $file }
greeting-none = Ancora nulla di registrato.
greeting-file = Oppure un file WAV
greeting-file-placeholder = /home/tu/saluto.wav
greeting-use-file = Usa questo file
call-pick-up = Rispondi
notify-voicemail-from = Nuovo messaggio vocale da { $name } ({ $duration })

## Chat (text messages)
tab-chat = Chat
chat-new = Nuovo messaggio
chat-empty-title = Ancora nessun messaggio
chat-empty-hint = Qui compaiono i messaggi di testo che invii e ricevi.
chat-unread = { $count ->
    [one] 1 da leggere
   *[other] { $count } da leggere
}
chat-unread-messages = { $count ->
    [one] 1 messaggio da leggere
   *[other] { $count } messaggi da leggere
}
chat-you = Tu: { $text }
chat-thread-empty-title = Ancora nessun messaggio
chat-thread-empty-hint = Scrivi qui sotto il primo a { $name }.
chat-compose = Messaggio
chat-send = Invia
chat-sending = Invio in corso…
chat-sent = Inviato
chat-failed = Non inviato
chat-failed-why = Non inviato: { $reason }
chat-retry = Riprova
chat-to = Numero o indirizzo
chat-write = Scrivi
chat-reply = Rispondi
call-message = Messaggio
contact-message = Invia un messaggio

## Busy lamps and presence
lamps-title = Spie di occupato
lamp-idle = Libero
lamp-ringing = Squilla
lamp-busy = In chiamata
lamp-unknown = Sconosciuto
lamp-pickup = Fai clic per rispondere alla chiamata che squilla su { $who }
lamp-transfer = Fai clic per trasferire la chiamata a { $who }
lamp-call = Fai clic per chiamare { $who }
lamps-hint = Interni o indirizzi le cui chiamate questa linea mostra nella scheda Telefono. Un clic risponde a una chiamata che squilla lì, li chiama o trasferisce loro la tua chiamata.
lamps-none = Nessun interno osservato.
lamps-add = Osserva
lamps-add-placeholder = Interno o indirizzo, es. 201
lamps-remove = Smetti di osservare
lamps-pickup-code = Codice di risposta per assente
lamps-pickup-placeholder = es. **
contact-watch = Osserva nelle spie di occupato
filter-online = In linea
presence-own = Il tuo stato, come lo vedono gli altri
presence-available = Disponibile
presence-away = Assente
presence-busy = Occupato

# Chat: deleting a conversation (asked twice)
chat-delete = Elimina conversazione
chat-delete-ask = Eliminare tutti i messaggi con { $name }?
chat-delete-confirm = Elimina definitivamente

# Calls: conference, recording, park
call-merge = Unisci
call-park = Parcheggia
call-record = Registra
call-record-stop = Ferma registrazione
conference-title = Conferenza · { $count } persone
conference-in = In conferenza
conference-muted = Silenziato
conference-mute-participant = Silenzia questa persona per gli altri
conference-unmute-participant = Fai sentire di nuovo questa persona
conference-split = Togli dalla conferenza (in attesa)
conference-hang-up-participant = Riaggancia questa persona
conference-add = Aggiungi alla conferenza
conference-end = Termina conferenza
park-parked-on = Parcheggiata su { $orbit }
park-parked = Parcheggiata
history-open-recording = Apri registrazione
history-recording-not-opened = Impossibile aprire la registrazione: { $detail }
error-recording-failed = La registrazione si è fermata: non è stato possibile scrivere il file. La chiamata continua.
error-invalid-message = Il messaggio è vuoto o troppo lungo; non è stato inviato.
error-pickup-failed = Lì non c'è nessuna chiamata da prendere.
error-conference-failed = Non è stato possibile unire le chiamate; continuano come prima.
error-park-failed = Non è stato possibile parcheggiare la chiamata; continua.
error-no-such-feature-code = Questa linea non ha questo codice.
error-no-such-identity = Questa linea non ha questa identità.
error-forwarding-failed = Non è stato possibile modificare l'inoltro delle chiamate.
result-interrupted = Interrotta
call-encrypted-tip = Cifrata in entrambe le direzioni ({ $suite })
line-callable-at = Ti chiamano a { $address }

## A line's security and network
security-title = Sicurezza e rete
security-srtp = Audio cifrato (SRTP)
srtp-off = Disattivato
srtp-when-offered = Quando possibile
srtp-required = Sempre: rifiuta le chiamate non cifrate
security-srtp-hint-tls = L'audio è cifrato ogni volta che l'altra parte può; le chiavi viaggiano dentro la connessione TLS della linea.
security-srtp-hint-plain = Questa linea non usa TLS, quindi le chiavi viaggerebbero leggibili. Con «Quando possibile» Parla cifra solo le chiamate che l'altra parte offre cifrate; per cifrare le tue chiamate, scegli TLS come trasporto della linea.
security-keepalive = Keep-alive
keepalive-off = Disattivato
keepalive-every = Ogni { $seconds } s
security-keepalive-hint = Un piccolo pacchetto al server a questo intervallo mantiene la linea raggiungibile dietro un router o un firewall (NAT).
security-direct-calls = Chiamate dirette
direct-calls-local = Solo dalla rete locale
direct-calls-anywhere = Da ovunque
security-direct-calls-hint-local = Le chiamate dirette a questo computer sono accettate solo dalle reti private e da questo computer.
security-direct-calls-hint-anywhere = Chiunque raggiunga questo computer può farlo squillare, anche gli scanner su internet.
