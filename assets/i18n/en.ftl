# Parla — English

# Lines: forwarding, identities, feature codes, auto-answer
forwarding-title = Forwarding
forwarding-hint = Send this line's calls to another number or address. Leave a field empty to turn that forward off.
forwarding-target-placeholder = Number or address
forwarding-always = Forward all calls to
forwarding-busy = When busy, forward to
forwarding-no-answer = When not answered, forward to
forwarding-by-provider = Let the provider forward (dial its codes)
forwarding-by-provider-hint = Parla dials the line's feature codes for forwarding; add them under Feature codes.
forwarding-save = Save forwarding
forwarding-banner-settings = Forwarding settings
forwarding-banner-off = Turn off
forwarding-banner-always = Calls forwarded to { $target }
forwarding-banner-busy = Forwarding on busy to { $target }
forwarding-banner-no-answer = Forwarding after { $seconds } s to { $target }
forwarding-banner-on = Calls are forwarded
forwarding-last-call = Call from { $who } forwarded to { $to }
forwarding-last-call-nowhere = Call from { $who } forwarded
forwarding-last-call-dismiss = Dismiss
identities-title = Caller ID
identities-hint = Who the people you call see. The default is used unless you pick another in the dialer.
identities-none = No identities: calls show this line's own number.
identities-default = Default
identities-remove = Remove identity
identities-name-placeholder = Name shown
identities-user-placeholder = Number or user
identities-add = Add identity
identities-anonymous = Always call anonymously
codes-title = Feature codes
codes-hint = Your provider's star codes, offered in the dialer's Codes menu.
codes-none = No feature codes yet.
codes-remove = Remove code
codes-name-placeholder = Name
codes-code-placeholder = Code, e.g. *72{"{}"}
codes-add = Add code
codes-in-call = Send during a call (as key tones)
codes-in-call-short = during a call
feature-kind-other = Other
feature-kind-voicemail = Voicemail
feature-kind-forward-always-on = Forward all calls on
feature-kind-forward-always-off = Forward all calls off
feature-kind-forward-busy-on = Forward on busy on
feature-kind-forward-busy-off = Forward on busy off
feature-kind-forward-no-answer-on = Forward on no answer on
feature-kind-forward-no-answer-off = Forward on no answer off
feature-kind-dnd-on = Do not disturb on
feature-kind-dnd-off = Do not disturb off
feature-kind-park = Park a call
feature-kind-unpark = Take back a parked call
feature-kind-pickup = Pick up a call
feature-kind-anonymous-on = Anonymous calls on
feature-kind-anonymous-off = Anonymous calls off
dialer-call-as = Call as
dialer-call-as-own = { $user } (this line)
dialer-call-as-anonymous = Anonymous
dialer-codes = Codes
setting-intercom = Answer intercom and paging calls at once
setting-auto-answer-only = Only these callers
setting-auto-answer-only-hint = When the list has entries, only these numbers or addresses are answered automatically.
setting-auto-answer-placeholder = Number or address
setting-auto-answer-add = Add caller
setting-auto-answer-remove = Remove caller
audio-recording-title = Recording and conferences
audio-recording-format = Recording format
audio-recording-ogg = Ogg Opus (small)
audio-recording-wav = WAV (opens anywhere)
audio-recording-channels = Recording channels
audio-recording-stereo = Stereo (you left, the other side right)
audio-recording-mono = Mono (both sides mixed)
audio-conference-size = Most calls in a conference
audio-conference-size-hint = Counting the calls joined, not you.
audio-processing-title = Microphone processing
audio-echo-cancellation = Echo cancellation
audio-echo-cancellation-hint = Removes the speaker's sound from the microphone. Turn it off with a headset.
audio-noise-suppression = Noise suppression
audio-auto-gain = Automatic gain
audio-processing-hint = Calls that start after a change use it.

## Sign-in
sign-in-title = Sign in to your phone service
sign-in-edit-title = Edit line
sign-in-intro = Use the user name and password your provider gave you.
sign-in-address = User name (user@domain)
sign-in-password = Password
sign-in-advanced = Advanced settings
sign-in-display-name = Your name (shown to the people you call)
sign-in-registrar = Server
sign-in-found-from-domain = Found from the domain
sign-in-proxy = Outbound proxy
sign-in-none = None
sign-in-transport = Transport
sign-in-port = Port
sign-in-submit = Sign in
sign-in-save = Save
sign-in-waiting = Signing in…
sign-in-local-only = Use without an account
sign-in-error-address = Type your user name as user@domain, for example alice@sip.example.com.
sign-in-error-password = Type your password.
sign-in-error-port = The port must be a number from 1 to 65535.
sign-in-error-credentials = The user name or password is not right. Check them and try again.
sign-in-error-unknown-user = The server does not know this user name.
sign-in-error-unreachable = The server did not answer. Check the domain and your internet connection.
sign-in-error-refused = The server refused the sign-in: { $reason } ({ $code }).

## Lines
line-local = Local (direct calls)
line-registered = Signed in
line-registering = Signing in…
line-failed = Not signed in
line-listening = Listening for direct calls
line-off = Off
line-add = Add a line
line-is-default = Default line
line-make-default = Make default

## Main window
tab-phone = Phone
tab-settings = Settings
dnd-on = Do not disturb
missed-calls = { $count ->
    [one] 1 missed call
   *[other] { $count } missed calls
}
notice-save-failed = The settings could not be saved: { $error }
keyring-missing = No keyring is available to keep your password safely.
keyring-keep-in-file = Keep it in the settings file
keyring-do-not-keep = Do not keep it

## Dialer
dialer-placeholder = Number or address
dialer-line = Line
dialer-call = Call

## Calls
call-calling = Calling…
call-ringing = Ringing…
call-incoming = Incoming call
call-answering-machine = Taking a message
call-held-by-them = On hold by the other side
call-on-hold = On hold
call-ended = Call ended
call-output = Sound to
answer = Answer
decline = Decline
hang-up = Hang up
mute = Mute
unmute = Unmute
hold = Hold
resume = Resume
keypad = Keypad
quality-good = Good sound
quality-fair = Fair sound
quality-poor = Poor sound
quality-mos-tip = Estimated from delay, loss and jitter (ITU-T G.107): { $mos } of 4.5

## Incoming-call popup and notifications
popup-title = Incoming call – Parla
popup-incoming = Incoming call
popup-on-line = on { $line }
notify-incoming-title = Incoming call
notify-missed-title = Missed call

## Tray
tray-show = Show Parla
tray-hide = Hide Parla
tray-dnd = Do not disturb
tray-quit = Quit
tray-registered = Signed in
tray-unregistered = Not signed in
tray-some-down = Some lines are not signed in
tray-no-lines = No lines

## Settings
settings-lines = Lines
settings-audio = Audio
settings-codecs = Codecs (in order of preference)
settings-calls = Calls
audio-input = Microphone
audio-output = Speaker
audio-ring = Ringtone on
audio-test-start = Test sound
audio-test-stop = Stop test
audio-test-hint = The test plays your voice back after a short delay, as the other side would hear it.
audio-refresh = Look for devices
setting-dnd = Do not disturb (refuse incoming calls)
setting-auto-answer = Answer incoming calls automatically
setting-ask-line = Ask which line to use for links
setting-language = Language
setting-start-minimised = Start minimised to the tray
setting-start-at-login = Start when I log in
settings-help = Help
help-diagnostics-hint = For a bug report: one archive with the recent logs, the SIP trace, the last calls' quality, the sound devices, the settings without passwords, and the versions. It goes to your Downloads folder, else to the profile folder.
help-save-diagnostics = Save diagnostics
notice-diagnostics-saved = Diagnostics saved to { $path }
notice-diagnostics-failed = The diagnostics could not be saved: { $error }
edit = Edit
remove = Remove
cancel = Cancel

## Contacts and history
tab-contacts = Contacts
tab-history = History
notice-db-moved = The contacts database could not be read; it was moved to { $path } and a new one was started.
filter-all = All
filter-favourites = Favourites
filter-personal = Personal
filter-shared = Company directory
filter-blocked = Blocked
contacts-search = Search name, company, email or number
contact-blocked = Blocked
back = Back
label-work = Work
label-mobile = Mobile
label-home = Home
label-other = Other
contact-favourite = Add to favourites
contact-unfavourite = Remove from favourites
contact-block = Block calls
contact-unblock = Unblock calls
contact-shared = From the company directory: it can be changed only there.
contact-new-title = New contact
contact-edit-title = Edit contact
contact-first-name = First name
contact-last-name = Last name
contact-company = Company
contact-phone = Phone
contact-email = Email
contact-street = Street
contact-city = City
contact-state = State or province
contact-postal-code = Postal code
contact-country = Country
contact-notes = Notes
contact-error-phone = This is not a phone number: use digits, spaces, + ( ) - only.
contact-error-email = This is not an email address (name@example.com).
contact-error-empty = A contact needs a name, a company or a phone number.
history-missed = Missed
history-incoming = Incoming
history-outgoing = Outgoing
history-search = Search name or number
history-clear = Clear all
history-call-back = Call back
result-answered = Answered
result-missed = Missed
result-declined = Declined
result-busy = Busy
result-failed = Failed
result-blocked = Blocked
result-cancelled = Cancelled
result-forwarded = Forwarded
notice-directory-failed = The company directory of { $line } could not be read: { $error }. The contacts from its last sync are kept.

# Engine errors, by kind ({ $detail } is the engine's own text, in English).
notice-db-unavailable = The contacts database cannot be opened: { $error }. Calls go on without names or history.
error-bad-command = That was not a command Parla understands.
error-engine-busy = Parla is busy; please try again.
error-no-such-call = That call has already ended.
error-no-such-account = That line does not exist or is switched off.
error-no-account = There is no line to call from: add one in Settings.
error-account-stopped = That line has stopped.
error-invalid-account = The line's settings cannot work: { $detail }
error-invalid-audio = The sound settings cannot work: { $detail }
error-too-many-calls = There are too many calls at once; end one first.
error-call-not-connected = The call is not connected yet.
error-cannot-answer = That call cannot be answered.
error-hold-failed = The other side did not accept the hold or resume.
error-transfer-failed = The call was not transferred; it goes on as before.
error-no-voicemail-number = This line has no voicemail number. Set one in Settings.
error-dtmf-failed = The keys could not be sent.
error-devices-not-switched = The call stays on its sound devices: { $detail }
error-devices-unavailable = The sound devices could not be listed.
error-echo-test-not-running = The sound test is not running.
error-store-unavailable = The contacts database is not available: { $detail }
error-invalid-contact = This contact cannot be saved: it needs a name, a company or a phone number.
error-not-found = That contact or call is no longer there.
error-internal = Something went wrong inside Parla: { $detail }
error-diagnostics-failed = The diagnostics could not be saved: { $detail }

# Appearance.
settings-appearance = Appearance
setting-theme = Colours
theme-system = As the desktop
theme-light = Light
theme-dark = Dark

# Call times in the history and on a contact: { $time } is the hour, 24-hour, as 16:15.
when-today = Today { $time }
when-yesterday = Yesterday { $time }
dialer-backspace = Delete the last digit

# Contacts and history as lists (rows, empty states, the contact form's sections).
history-empty-title = No calls yet
history-empty-hint = Calls you make and receive appear here.
history-no-match-title = No calls match
history-no-match-hint = Try other words or another filter.
history-delete = Delete from history
contacts-add = Add
contacts-import = Import CSV
contacts-import-hide = Hide
contacts-empty-title = No contacts yet
contacts-empty-hint = Add one, or import a CSV file.
contacts-no-match-title = No contacts match
contacts-no-match-hint = Try other words or another filter.
contact-delete-confirm = Press again to remove
contact-section-phones = Phone numbers
contact-section-emails = Email addresses
contact-section-address = Address
contact-add-phone = Add number
contact-add-email = Add email

# Settings sections.
settings-advanced = Advanced
settings-startup = Start-up
audio-devices = Devices
audio-test-title = Sound test
device-default = System default
device-none = No sound
line-enable = Use this line
lines-empty = No lines yet
lines-empty-hint = Add the line your provider gave you to make and take calls.
codec-earlier = Move up
codec-later = Move down
setting-scale = Size
setting-compact = Compact window (just the dialer, the lines and the calls)
error-import-failed = Nothing was imported: { $detail }
contacts-import-title = Import contacts
contacts-import-placeholder = /home/you/contacts.csv
contacts-import-help = A CSV or vCard file (.csv, .vcf). You can also drop the file on the window.
contacts-import-start = Import
contacts-importing = Importing…
contacts-imported = { $count ->
    [0] No new contacts imported
    [one] Imported one contact
   *[other] Imported { $count } contacts
}
contacts-import-refused = { $count ->
    [one] one row skipped
   *[other] { $count } rows skipped
}
contacts-import-result = { $imported }, { $refused }
notice-drop-not-contacts = Only a CSV or vCard file (.csv, .vcf) can be dropped on Parla: its contacts are imported.
call-swap = Swap to this call (the other waits on hold)
setting-music-on-hold = Music for a caller you put on hold
music-builtin = Parla's music
music-off = None (the phone system plays its own)
call-waiting = Another call is waiting
call-transfer = Transfer
call-active = Active
call-transferring = Transferring…
call-add = Add call
call-transfer-now = Transfer now
call-consult = Consult first
call-complete-transfer = Complete transfer
call-consult-about = Transfer { $held } to { $target }
line-transfers = Transfers from the other side
transfers-any = Accept to any address
transfers-domain = Accept within this line's domain
transfers-never = Refuse

## Voicemail
voicemail = Voicemail
voicemail-new = { $count ->
    [one] 1 new voicemail message
   *[other] { $count } new voicemail messages
}
line-message-waiting = Voicemail light (message waiting)
line-voicemail-number = Voicemail number
line-voicemail-number-placeholder = From the server

# The Voicemail tab (the answering machine's messages)
tab-voicemail = Voicemail
voicemail-empty-title = No messages
voicemail-empty-hint = Messages callers leave on the answering machine appear here.
voicemail-missing = missing
voicemail-missing-file = The sound file of this message is missing.
voicemail-play = Play
voicemail-pause = Pause
voicemail-export = Export
voicemail-exported = Saved to { $path }
voicemail-mark-heard = Mark heard
voicemail-mark-unheard = Mark unheard
voicemail-delete = Delete
voicemail-delete-confirm = Delete for good
history-open-voicemail = Listen to the message
error-file-missing = The message's sound file is missing.
error-export-failed = The message could not be exported: { $detail }

# A line's own settings page and its answering machine
line-details = This line's settings
line-calls = Calls on this line
machine-on = Answering machine on
machine-title = Answering machine
machine-enable = Take a message when I do not answer
machine-hint = Parla answers the calls you do not take, plays a greeting and records a message.
machine-answer-after = Answer after
machine-seconds = { $seconds } s
machine-when-dnd = During do not disturb, answer at once
machine-dnd-now = Do not disturb is on: calls go straight to the answering machine.
machine-max-message = Longest message
machine-greeting = Greeting
step-less = Less
step-more = More
greeting-default = Default tones
greeting-own = My recording
greeting-record = Record
greeting-stop = Stop
greeting-listen = Listen
greeting-keep = Keep
greeting-recording = Recording… { $time }
greeting-draft = New recording ({ $time }), not kept yet
greeting-in-use = In use: { $file }
greeting-none = Nothing recorded yet.
greeting-file = Or a WAV file
greeting-file-placeholder = /home/you/greeting.wav
greeting-use-file = Use this file
call-pick-up = Pick up
notify-voicemail-from = New voicemail from { $name } ({ $duration })

## Chat (text messages)
tab-chat = Chat
chat-new = New message
chat-empty-title = No messages yet
chat-empty-hint = Text messages you send and receive appear here.
chat-unread = { $count ->
    [one] 1 unread
   *[other] { $count } unread
}
chat-unread-messages = { $count ->
    [one] 1 unread message
   *[other] { $count } unread messages
}
chat-you = You: { $text }
chat-thread-empty-title = No messages yet
chat-thread-empty-hint = Write the first one to { $name } below.
chat-compose = Message
chat-send = Send
chat-sending = Sending…
chat-sent = Sent
chat-failed = Not sent
chat-failed-why = Not sent: { $reason }
chat-retry = Retry
chat-to = Number or address
chat-write = Write
chat-reply = Reply
call-message = Message
contact-message = Send a message

## Busy lamps and presence
lamps-title = Busy lamps
lamp-idle = Free
lamp-ringing = Ringing
lamp-busy = In a call
lamp-unknown = Not known
lamp-pickup = Click to pick up the call ringing at { $who }
lamp-transfer = Click to transfer the call to { $who }
lamp-call = Click to call { $who }
lamps-hint = Extensions or addresses whose calls this line shows on the Phone tab. A click picks up a call ringing there, calls them, or transfers your call to them.
lamps-none = No extensions watched yet.
lamps-add = Watch
lamps-add-placeholder = Extension or address, e.g. 201
lamps-remove = Stop watching
lamps-pickup-code = Pickup code
lamps-pickup-placeholder = e.g. **
contact-watch = Watch on the busy lamps
filter-online = Online
presence-own = Your status, as others see it
presence-available = Available
presence-away = Away
presence-busy = Busy

# Chat: deleting a conversation (asked twice)
chat-delete = Delete conversation
chat-delete-ask = Delete all messages with { $name }?
chat-delete-confirm = Delete for good

# Calls: conference, recording, park
call-merge = Merge
call-park = Park
call-record = Record
call-record-stop = Stop recording
conference-title = Conference · { $count } people
conference-in = In conference
conference-muted = Muted
conference-mute-participant = Mute this person for the others
conference-unmute-participant = Let this person be heard again
conference-split = Take out of the conference (on hold)
conference-hang-up-participant = Hang up this person
conference-add = Add to conference
conference-end = End conference
park-parked-on = Parked on { $orbit }
park-parked = Parked
history-open-recording = Open recording
history-recording-not-opened = The recording could not be opened: { $detail }
error-recording-failed = The recording stopped: its file could not be written. The call goes on.
error-invalid-message = The message is empty or too long; it was not sent.
error-pickup-failed = There is no call to pick up there.
error-conference-failed = The calls could not be joined; they go on as before.
error-park-failed = The call could not be parked; it goes on.
error-no-such-feature-code = This line has no such code.
error-no-such-identity = This line has no such caller ID.
error-forwarding-failed = Forwarding could not be changed.
result-interrupted = Interrupted
call-encrypted-tip = Encrypted both ways ({ $suite })
line-callable-at = Others call { $address }

## A line's security and network
security-title = Security and network
security-srtp = Encrypted audio (SRTP)
srtp-off = Off
srtp-when-offered = When possible
srtp-required = Always: refuse unencrypted calls
security-srtp-hint-tls = The audio is encrypted whenever the other side can; the keys travel inside the line's TLS connection.
security-srtp-hint-plain = This line does not use TLS, so the keys would travel readable. With “When possible” Parla encrypts only calls the other side offers encrypted; to encrypt your own calls, choose TLS as the line's transport.
security-keepalive = Keep-alive
keepalive-off = Off
keepalive-every = Every { $seconds } s
security-keepalive-hint = A small packet to the server at this interval keeps the line reachable behind a home router or firewall (NAT).
security-direct-calls = Direct calls
direct-calls-local = From the local network only
direct-calls-anywhere = From anywhere
security-direct-calls-hint-local = Calls straight to this computer are taken from private networks and from this computer only.
security-direct-calls-hint-anywhere = Anyone who can reach this computer can ring it, scanners on the internet too.
