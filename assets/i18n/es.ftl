# Parla — Español

# Lines: forwarding, identities, feature codes, auto-answer
forwarding-title = Desvío
forwarding-hint = Envía las llamadas de esta línea a otro número o dirección. Deja un campo vacío para desactivar ese desvío.
forwarding-target-placeholder = Número o dirección
forwarding-always = Desviar todas las llamadas a
forwarding-busy = Si está ocupado, desviar a
forwarding-no-answer = Si no se contesta, desviar a
forwarding-by-provider = Que desvíe el proveedor (marcar sus códigos)
forwarding-by-provider-hint = Parla marca los códigos de servicio de la línea para desviar; añádelos en Códigos de servicio.
forwarding-save = Guardar desvío
forwarding-banner-settings = Ajustes de desvío
forwarding-banner-off = Desactivar
forwarding-banner-always = Llamadas desviadas a { $target }
forwarding-banner-busy = Desvío si está ocupado a { $target }
forwarding-banner-no-answer = Desvío tras { $seconds } s a { $target }
forwarding-banner-on = Las llamadas se desvían
forwarding-last-call = Llamada de { $who } desviada a { $to }
forwarding-last-call-nowhere = Llamada de { $who } desviada
forwarding-last-call-dismiss = Descartar
identities-title = Identificación de llamada
identities-hint = Lo que ven las personas a las que llamas. Se usa la predeterminada salvo que elijas otra en el marcador.
identities-none = Sin identidades: las llamadas muestran el número propio de esta línea.
identities-default = Predeterminada
identities-remove = Quitar identidad
identities-name-placeholder = Nombre mostrado
identities-user-placeholder = Número o usuario
identities-add = Añadir identidad
identities-anonymous = Llamar siempre de forma anónima
codes-title = Códigos de servicio
codes-hint = Los códigos con asterisco de tu proveedor, en el menú Códigos del marcador.
codes-none = Aún no hay códigos de servicio.
codes-remove = Quitar código
codes-name-placeholder = Nombre
codes-code-placeholder = Código, p. ej. *72{"{}"}
codes-add = Añadir código
codes-in-call = Enviar durante una llamada (como tonos)
codes-in-call-short = durante una llamada
feature-kind-other = Otro
feature-kind-voicemail = Buzón de voz
feature-kind-forward-always-on = Activar desvío de todas las llamadas
feature-kind-forward-always-off = Desactivar desvío de todas las llamadas
feature-kind-forward-busy-on = Activar desvío si está ocupado
feature-kind-forward-busy-off = Desactivar desvío si está ocupado
feature-kind-forward-no-answer-on = Activar desvío si no contesta
feature-kind-forward-no-answer-off = Desactivar desvío si no contesta
feature-kind-dnd-on = Activar no molestar
feature-kind-dnd-off = Desactivar no molestar
feature-kind-park = Aparcar una llamada
feature-kind-unpark = Recuperar una llamada aparcada
feature-kind-pickup = Capturar una llamada
feature-kind-anonymous-on = Activar llamadas anónimas
feature-kind-anonymous-off = Desactivar llamadas anónimas
dialer-call-as = Llamar como
dialer-call-as-own = { $user } (esta línea)
dialer-call-as-anonymous = Anónimo
dialer-codes = Códigos
setting-intercom = Contestar al momento las llamadas de intercomunicador y megafonía
setting-auto-answer-only = Solo estas personas
setting-auto-answer-only-hint = Si la lista tiene entradas, solo se contestan automáticamente estos números o direcciones.
setting-auto-answer-placeholder = Número o dirección
setting-auto-answer-add = Añadir
setting-auto-answer-remove = Quitar
audio-recording-title = Grabación y conferencias
audio-recording-format = Formato de grabación
audio-recording-ogg = Ogg Opus (pequeño)
audio-recording-wav = WAV (se abre en todas partes)
audio-recording-channels = Canales de grabación
audio-recording-stereo = Estéreo (tú a la izquierda, la otra parte a la derecha)
audio-recording-mono = Mono (ambas partes mezcladas)
audio-conference-size = Máximo de llamadas en una conferencia
audio-conference-size-hint = Cuenta las llamadas unidas, sin contarte a ti.
audio-processing-title = Procesado del micrófono
audio-echo-cancellation = Cancelación de eco
audio-echo-cancellation-hint = Quita del micrófono el sonido del altavoz. Desactívala si usas auriculares.
audio-noise-suppression = Supresión de ruido
audio-auto-gain = Ganancia automática
audio-processing-hint = Las llamadas que empiecen después de un cambio lo aplican.

## Sign-in
sign-in-title = Inicia sesión en tu servicio telefónico
sign-in-edit-title = Editar línea
sign-in-intro = Usa el usuario y la contraseña que te dio tu proveedor.
sign-in-address = Usuario (usuario@dominio)
sign-in-password = Contraseña
sign-in-advanced = Configuración avanzada
sign-in-display-name = Tu nombre (lo ven las personas a las que llamas)
sign-in-registrar = Servidor
sign-in-found-from-domain = Se obtiene del dominio
sign-in-proxy = Proxy de salida
sign-in-none = Ninguno
sign-in-transport = Transporte
sign-in-port = Puerto
sign-in-submit = Iniciar sesión
sign-in-save = Guardar
sign-in-waiting = Iniciando sesión…
sign-in-local-only = Usar sin cuenta
sign-in-error-address = Escribe tu usuario como usuario@dominio, por ejemplo ana@sip.ejemplo.com.
sign-in-error-password = Escribe tu contraseña.
sign-in-error-port = El puerto debe ser un número entre 1 y 65535.
sign-in-error-credentials = El usuario o la contraseña no son correctos. Revísalos e inténtalo de nuevo.
sign-in-error-unknown-user = El servidor no conoce este usuario.
sign-in-error-unreachable = El servidor no respondió. Revisa el dominio y tu conexión a internet.
sign-in-error-refused = El servidor rechazó el inicio de sesión: { $reason } ({ $code }).

## Lines
line-local = Local (llamadas directas)
line-registered = Conectada
line-registering = Conectando…
line-failed = Sin conexión
line-listening = Esperando llamadas directas
line-off = Apagada
line-add = Añadir una línea
line-is-default = Línea predeterminada
line-make-default = Hacer predeterminada

## Main window
tab-phone = Teléfono
tab-settings = Ajustes
dnd-on = No molestar
missed-calls = { $count ->
    [one] 1 llamada perdida
   *[other] { $count } llamadas perdidas
}
notice-save-failed = No se pudieron guardar los ajustes: { $error }
keyring-missing = No hay un llavero disponible para guardar tu contraseña de forma segura.
keyring-keep-in-file = Guardarla en el archivo de ajustes
keyring-do-not-keep = No guardarla

## Dialer
dialer-placeholder = Número o dirección
dialer-line = Línea
dialer-call = Llamar

## Calls
call-calling = Llamando…
call-ringing = Sonando…
call-incoming = Llamada entrante
call-answering-machine = Grabando un mensaje
call-held-by-them = En espera por el otro lado
call-on-hold = En espera
call-ended = Llamada finalizada
call-output = Sonido en
answer = Contestar
decline = Rechazar
hang-up = Colgar
mute = Silenciar
unmute = Activar micrófono
hold = Poner en espera
resume = Reanudar
keypad = Teclado
quality-good = Buen sonido
quality-fair = Sonido aceptable
quality-poor = Sonido deficiente
quality-mos-tip = Estimación a partir del retardo, las pérdidas y el jitter (UIT-T G.107): { $mos } de 4,5

## Incoming-call popup and notifications
popup-title = Llamada entrante – Parla
popup-incoming = Llamada entrante
popup-on-line = en { $line }
notify-incoming-title = Llamada entrante
notify-missed-title = Llamada perdida

## Tray
tray-show = Mostrar Parla
tray-hide = Ocultar Parla
tray-dnd = No molestar
tray-quit = Salir
tray-registered = Conectado
tray-unregistered = Sin conexión
tray-some-down = Algunas líneas no están conectadas
tray-no-lines = Sin líneas

## Settings
settings-lines = Líneas
settings-audio = Audio
settings-codecs = Códecs (por orden de preferencia)
settings-calls = Llamadas
audio-input = Micrófono
audio-output = Altavoz
audio-ring = Tono de llamada en
audio-test-start = Probar sonido
audio-test-stop = Detener prueba
audio-test-hint = La prueba reproduce tu voz tras un breve retraso, como la oiría el otro lado.
audio-refresh = Buscar dispositivos
setting-dnd = No molestar (rechazar llamadas entrantes)
setting-auto-answer = Contestar automáticamente las llamadas entrantes
setting-ask-line = Preguntar qué línea usar para los enlaces
setting-language = Idioma
setting-start-minimised = Iniciar minimizado en la bandeja
setting-start-at-login = Iniciar al entrar en la sesión
settings-help = Ayuda
help-diagnostics-hint = Para informar de un fallo: un archivo con los registros recientes, la traza SIP, la calidad de las últimas llamadas, los dispositivos de sonido, los ajustes sin contraseñas y las versiones. Se guarda en la carpeta Descargas o, si no existe, en la carpeta del perfil.
help-save-diagnostics = Guardar diagnóstico
notice-diagnostics-saved = Diagnóstico guardado en { $path }
notice-diagnostics-failed = No se pudo guardar el diagnóstico: { $error }
edit = Editar
remove = Quitar
cancel = Cancelar

## Contacts and history
tab-contacts = Contactos
tab-history = Historial
notice-db-moved = No se pudo leer la base de datos de contactos; se movió a { $path } y se creó una nueva.
filter-all = Todos
filter-favourites = Favoritos
filter-personal = Personales
filter-shared = Directorio de la empresa
filter-blocked = Bloqueados
contacts-search = Buscar nombre, empresa, correo o número
contact-blocked = Bloqueado
back = Atrás
label-work = Trabajo
label-mobile = Móvil
label-home = Casa
label-other = Otro
contact-favourite = Añadir a favoritos
contact-unfavourite = Quitar de favoritos
contact-block = Bloquear llamadas
contact-unblock = Desbloquear llamadas
contact-shared = Del directorio de la empresa: solo se puede cambiar allí.
contact-new-title = Nuevo contacto
contact-edit-title = Editar contacto
contact-first-name = Nombre
contact-last-name = Apellidos
contact-company = Empresa
contact-phone = Teléfono
contact-email = Correo electrónico
contact-street = Calle
contact-city = Ciudad
contact-state = Provincia o estado
contact-postal-code = Código postal
contact-country = País
contact-notes = Notas
contact-error-phone = Esto no es un número de teléfono: usa solo dígitos, espacios y + ( ) -.
contact-error-email = Esto no es una dirección de correo (nombre@ejemplo.com).
contact-error-empty = Un contacto necesita un nombre, una empresa o un teléfono.
history-missed = Perdidas
history-incoming = Entrantes
history-outgoing = Salientes
history-search = Buscar nombre o número
history-clear = Borrar todo
history-call-back = Devolver llamada
result-answered = Contestada
result-missed = Perdida
result-declined = Rechazada
result-busy = Ocupado
result-failed = Fallida
result-blocked = Bloqueada
result-cancelled = Cancelada
result-forwarded = Desviada
notice-directory-failed = No se pudo leer el directorio de la empresa de { $line }: { $error }. Se conservan los contactos de la última sincronización.

# Errores del motor, por tipo ({ $detail } es el texto del motor, en inglés).
notice-db-unavailable = No se puede abrir la base de datos de contactos: { $error }. Las llamadas siguen sin nombres ni historial.
error-bad-command = Parla no entiende esa orden.
error-engine-busy = Parla está ocupado; inténtalo de nuevo.
error-no-such-call = Esa llamada ya ha terminado.
error-no-such-account = Esa línea no existe o está desactivada.
error-no-account = No hay ninguna línea desde la que llamar: añade una en Ajustes.
error-account-stopped = Esa línea se ha detenido.
error-invalid-account = Los ajustes de la línea no pueden funcionar: { $detail }
error-invalid-audio = Los ajustes de sonido no pueden funcionar: { $detail }
error-too-many-calls = Hay demasiadas llamadas a la vez; termina una primero.
error-call-not-connected = La llamada aún no está conectada.
error-cannot-answer = Esa llamada no se puede contestar.
error-hold-failed = El otro lado no aceptó poner o quitar la espera.
error-transfer-failed = La llamada no se ha transferido; sigue como antes.
error-no-voicemail-number = Esta línea no tiene número de buzón de voz. Indícalo en Ajustes.
error-dtmf-failed = No se pudieron enviar las teclas.
error-devices-not-switched = La llamada sigue en sus dispositivos de sonido: { $detail }
error-devices-unavailable = No se pudieron listar los dispositivos de sonido.
error-echo-test-not-running = La prueba de sonido no está en marcha.
error-store-unavailable = La base de datos de contactos no está disponible: { $detail }
error-invalid-contact = Este contacto no se puede guardar: necesita un nombre, una empresa o un teléfono.
error-not-found = Ese contacto o esa llamada ya no está.
error-internal = Algo falló dentro de Parla: { $detail }
error-diagnostics-failed = No se pudo guardar el diagnóstico: { $detail }

# Appearance.
settings-appearance = Apariencia
setting-theme = Colores
theme-system = Como el escritorio
theme-light = Claro
theme-dark = Oscuro

# Call times in the history and on a contact: { $time } is the hour, 24-hour, as 16:15.
when-today = Hoy { $time }
when-yesterday = Ayer { $time }
dialer-backspace = Borrar el último dígito

# Contacts and history as lists (rows, empty states, the contact form's sections).
history-empty-title = Todavía no hay llamadas
history-empty-hint = Aquí aparecen las llamadas que haces y recibes.
history-no-match-title = Ninguna llamada coincide
history-no-match-hint = Prueba otras palabras u otro filtro.
history-delete = Borrar del historial
contacts-add = Añadir
contacts-import = Importar CSV
contacts-import-hide = Ocultar
contacts-empty-title = Todavía no hay contactos
contacts-empty-hint = Añade uno o importa un archivo CSV.
contacts-no-match-title = Ningún contacto coincide
contacts-no-match-hint = Prueba otras palabras u otro filtro.
contact-delete-confirm = Pulsa otra vez para quitarlo
contact-section-phones = Números de teléfono
contact-section-emails = Correos electrónicos
contact-section-address = Dirección
contact-add-phone = Añadir número
contact-add-email = Añadir correo

# Settings sections.
settings-advanced = Avanzado
settings-startup = Inicio
audio-devices = Dispositivos
audio-test-title = Prueba de sonido
device-default = Predeterminado del sistema
device-none = Sin sonido
line-enable = Usar esta línea
lines-empty = Aún no hay líneas
lines-empty-hint = Añade la línea que te dio tu proveedor para hacer y recibir llamadas.
codec-earlier = Subir
codec-later = Bajar
setting-scale = Tamaño
setting-compact = Ventana compacta (solo el teclado, las líneas y las llamadas)
error-import-failed = No se importó nada: { $detail }
contacts-import-title = Importar contactos
contacts-import-placeholder = /home/tu/contactos.csv
contacts-import-help = Un archivo CSV o vCard (.csv, .vcf). También puedes soltar el archivo en la ventana.
contacts-import-start = Importar
contacts-importing = Importando…
contacts-imported = { $count ->
    [0] No se importó ningún contacto nuevo
    [one] Se importó un contacto
   *[other] Se importaron { $count } contactos
}
contacts-import-refused = { $count ->
    [one] se omitió una fila
   *[other] se omitieron { $count } filas
}
contacts-import-result = { $imported }, { $refused }
notice-drop-not-contacts = Solo se puede soltar en Parla un archivo CSV o vCard (.csv, .vcf): se importan sus contactos.
call-swap = Pasar a esta llamada (la otra queda en espera)
setting-music-on-hold = Música para quien dejas en espera
music-builtin = La música de Parla
music-off = Ninguna (la centralita pone la suya)
call-waiting = Otra llamada en espera
call-transfer = Transferir
call-active = Activa
call-transferring = Transfiriendo…
call-add = Añadir llamada
call-transfer-now = Transferir ya
call-consult = Consultar antes
call-complete-transfer = Completar transferencia
call-consult-about = Transferir a { $held } con { $target }
line-transfers = Transferencias del otro lado
transfers-any = Aceptar a cualquier dirección
transfers-domain = Aceptar dentro del dominio de esta línea
transfers-never = Rechazar

## Voicemail
voicemail = Buzón de voz
voicemail-new = { $count ->
    [one] 1 mensaje de voz nuevo
   *[other] { $count } mensajes de voz nuevos
}
line-message-waiting = Aviso de buzón de voz (mensaje en espera)
line-voicemail-number = Número del buzón de voz
line-voicemail-number-placeholder = El del servidor

# The Voicemail tab (the answering machine's messages)
tab-voicemail = Buzón
voicemail-empty-title = No hay mensajes
voicemail-empty-hint = Aquí aparecen los mensajes que dejan en el contestador.
voicemail-missing = falta
voicemail-missing-file = Falta el archivo de sonido de este mensaje.
voicemail-play = Reproducir
voicemail-pause = Pausa
voicemail-export = Exportar
voicemail-exported = Guardado en { $path }
voicemail-mark-heard = Marcar como escuchado
voicemail-mark-unheard = Marcar como no escuchado
voicemail-delete = Eliminar
voicemail-delete-confirm = Eliminar definitivamente
history-open-voicemail = Escuchar el mensaje
error-file-missing = Falta el archivo de sonido del mensaje.
error-export-failed = No se pudo exportar el mensaje: { $detail }

# A line's own settings page and its answering machine
line-details = Ajustes de esta línea
line-calls = Llamadas en esta línea
machine-on = Contestador activado
machine-title = Contestador
machine-enable = Grabar un mensaje cuando no contesto
machine-hint = Parla contesta las llamadas que no atiendes, reproduce un saludo y graba un mensaje.
machine-answer-after = Contestar tras
machine-seconds = { $seconds } s
machine-when-dnd = Con «No molestar», contestar enseguida
machine-dnd-now = «No molestar» está activado: las llamadas van directas al contestador.
machine-max-message = Mensaje más largo
machine-greeting = Saludo
step-less = Menos
step-more = Más
greeting-default = Tonos predeterminados
greeting-own = Mi grabación
greeting-record = Grabar
greeting-stop = Detener
greeting-listen = Escuchar
greeting-keep = Conservar
greeting-recording = Grabando… { $time }
greeting-draft = Grabación nueva ({ $time }), aún sin conservar
greeting-in-use = En uso: { $file }
greeting-none = Aún no hay nada grabado.
greeting-file = O un archivo WAV
greeting-file-placeholder = /home/tu/saludo.wav
greeting-use-file = Usar este archivo
call-pick-up = Atender
notify-voicemail-from = Mensaje de voz nuevo de { $name } ({ $duration })

## Chat (text messages)
tab-chat = Chat
chat-new = Mensaje nuevo
chat-empty-title = Aún no hay mensajes
chat-empty-hint = Aquí aparecen los mensajes de texto que envías y recibes.
chat-unread = { $count ->
    [one] 1 sin leer
   *[other] { $count } sin leer
}
chat-unread-messages = { $count ->
    [one] 1 mensaje sin leer
   *[other] { $count } mensajes sin leer
}
chat-you = Tú: { $text }
chat-thread-empty-title = Aún no hay mensajes
chat-thread-empty-hint = Escribe abajo el primero para { $name }.
chat-compose = Mensaje
chat-send = Enviar
chat-sending = Enviando…
chat-sent = Enviado
chat-failed = No enviado
chat-failed-why = No enviado: { $reason }
chat-retry = Reintentar
chat-to = Número o dirección
chat-write = Escribir
chat-reply = Responder
call-message = Mensaje
contact-message = Enviar un mensaje

## Busy lamps and presence
lamps-title = Indicadores de ocupado
lamp-idle = Libre
lamp-ringing = Sonando
lamp-busy = En llamada
lamp-unknown = Desconocido
lamp-pickup = Haz clic para capturar la llamada que suena en { $who }
lamp-transfer = Haz clic para transferir la llamada a { $who }
lamp-call = Haz clic para llamar a { $who }
lamps-hint = Extensiones o direcciones cuyas llamadas esta línea muestra en la pestaña Teléfono. Un clic captura una llamada que suena allí, las llama o les transfiere tu llamada.
lamps-none = Todavía no se vigila ninguna extensión.
lamps-add = Vigilar
lamps-add-placeholder = Extensión o dirección, p. ej. 201
lamps-remove = Dejar de vigilar
lamps-pickup-code = Código de captura
lamps-pickup-placeholder = p. ej. **
contact-watch = Vigilar en los indicadores de ocupado
filter-online = En línea
presence-own = Tu estado, como lo ven los demás
presence-available = Disponible
presence-away = Ausente
presence-busy = Ocupado

# Chat: deleting a conversation (asked twice)
chat-delete = Eliminar conversación
chat-delete-ask = ¿Eliminar todos los mensajes con { $name }?
chat-delete-confirm = Eliminar definitivamente

# Calls: conference, recording, park
call-merge = Unir
call-park = Aparcar
call-record = Grabar
call-record-stop = Detener grabación
conference-title = Conferencia · { $count } personas
conference-in = En conferencia
conference-muted = Silenciado
conference-mute-participant = Silenciar a esta persona para los demás
conference-unmute-participant = Volver a oír a esta persona
conference-split = Sacar de la conferencia (en espera)
conference-hang-up-participant = Colgar a esta persona
conference-add = Añadir a la conferencia
conference-end = Terminar conferencia
park-parked-on = Aparcada en { $orbit }
park-parked = Aparcada
history-open-recording = Abrir grabación
history-recording-not-opened = No se pudo abrir la grabación: { $detail }
error-recording-failed = La grabación se ha detenido: no se pudo escribir el archivo. La llamada continúa.
error-invalid-message = El mensaje está vacío o es demasiado largo; no se ha enviado.
error-pickup-failed = Ahí no hay ninguna llamada que capturar.
error-conference-failed = No se pudieron unir las llamadas; siguen como estaban.
error-park-failed = No se pudo aparcar la llamada; sigue en curso.
error-no-such-feature-code = Esta línea no tiene ese código.
error-no-such-identity = Esta línea no tiene esa identidad.
error-forwarding-failed = No se pudo cambiar el desvío de llamadas.
result-interrupted = Interrumpida
call-encrypted-tip = Cifrada en ambos sentidos ({ $suite })
line-callable-at = Te llaman a { $address }

## A line's security and network
security-title = Seguridad y red
security-srtp = Audio cifrado (SRTP)
srtp-off = Desactivado
srtp-when-offered = Cuando sea posible
srtp-required = Siempre: rechazar llamadas sin cifrar
security-srtp-hint-tls = El audio se cifra siempre que el otro lado pueda; las claves viajan dentro de la conexión TLS de la línea.
security-srtp-hint-plain = Esta línea no usa TLS, así que las claves viajarían legibles. Con «Cuando sea posible» Parla cifra solo las llamadas que el otro lado ofrece cifradas; para cifrar tus propias llamadas, elige TLS como transporte de la línea.
security-keepalive = Mantener la conexión
keepalive-off = Desactivado
keepalive-every = Cada { $seconds } s
security-keepalive-hint = Un pequeño paquete al servidor con este intervalo mantiene la línea accesible detrás de un router o cortafuegos (NAT).
security-direct-calls = Llamadas directas
direct-calls-local = Solo desde la red local
direct-calls-anywhere = Desde cualquier lugar
security-direct-calls-hint-local = Las llamadas directas a este ordenador se aceptan solo desde redes privadas y desde este mismo ordenador.
security-direct-calls-hint-anywhere = Cualquiera que llegue a este ordenador puede hacerlo sonar, también los escáneres de internet.
