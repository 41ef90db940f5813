import { FAILURES_FR, type FailureSentence } from '../errors/sentences-fr.ts';
/**
 * The console's words in English and French. A page asks `t(key)`; the
 * language is the `lang` cookie (the header's switch), else the browser's
 * Accept-Language, else English. Report sentences written by the sync are
 * shown as the report gives them (English); their headings are translated.
 */
export const LANGUAGES = ['en', 'fr'] as const;
export type Lang = (typeof LANGUAGES)[number];

const en = {
  'app.name': 'Auriga ↔ Edusign console',
  'nav.fleet': 'Schools',
  'nav.audit': 'Audit log',
  'nav.accounts': 'Accounts',
  'nav.signOut': 'Sign out',
  'nav.language': 'Language',
  'nav.skip': 'Skip to content',
  'signIn.title': 'Sign in',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.failed': 'Wrong email or password.',
  'signIn.throttled': 'Too many failed attempts: try again in {minutes} minute(s).',
  'welcome.title': 'Choose your password',
  'welcome.intro': 'This link works once. Choose a password of at least {min} characters.',
  'welcome.password': 'New password',
  'welcome.confirm': 'The same password again',
  'welcome.submit': 'Set password and sign in',
  'welcome.mismatch': 'The two passwords differ.',
  'welcome.short': 'The password must have at least {min} characters.',
  'welcome.expired': 'This link was already used or has expired: ask an operator for a new one.',
  'fleet.title': 'Schools',
  'fleet.filter': 'Filter',
  'fleet.counts': 'Schools per state',
  'fleet.state': 'State',
  'fleet.search': 'Search',
  'fleet.all': 'All states',
  'fleet.apply': 'Apply',
  'fleet.school': 'School',
  'fleet.lastRun': 'Last run',
  'fleet.nextRun': 'Next run',
  'fleet.problems': 'Open problems',
  'fleet.none': 'No school matches.',
  'fleet.add': 'Set up a new school',
  'state.healthy': 'healthy',
  'state.partly_failed': 'partly failed',
  'state.failed': 'failed',
  'state.deletions_held': 'deletions held',
  'state.disabled': 'disabled',
  'state.never_run': 'never run',
  'state.interrupted': 'interrupted',
  'state.abandoned': 'abandoned',
  'state.unknown': 'unknown',
  'state.running': 'running',
  'state.succeeded': 'succeeded',
  'school.state': 'State',
  'school.failure': 'The last run failed:',
  'school.unusable': 'Its settings cannot be used: nothing is sent to Auriga or Edusign with them.',
  'school.nextRun': 'Next run',
  'school.runNow': 'Run now',
  'school.preview': 'Preview',
  'school.asked': 'A run was asked for: it starts as soon as a slot is free.',
  'school.already': 'A run of this school is already waiting or running.',
  'school.live': 'Live view of the run',
  'school.noLive': 'No run in progress.',
  'school.runs': 'Last runs',
  'school.chart': 'Writes and problems per run, oldest on the left',
  'school.writes': 'writes',
  'school.chartProblems': 'problems',
  'school.problems': 'Open problems',
  'school.noProblems': 'No open problem in the last run.',
  'school.notices': 'Notifications sent',
  'school.noNotices': 'No notification sent yet.',
  'notice.when': 'Queued',
  'notice.event': 'Event',
  'notice.to': 'To',
  'notice.status': 'Delivery',
  'notice.attempts': 'Attempts',
  'notice.next': 'next try',
  'school.held': 'Held deletions',
  'school.heldCount': '{n} deletion(s) held: a person must decide.',
  'school.explain': 'Why is this person or sheet (not) on Edusign?',
  'school.settings': 'Settings',
  'run.started': 'Started',
  'run.outcome': 'Outcome',
  'run.writes': 'Writes',
  'run.problems': 'Problems',
  'run.calls': 'Edusign calls',
  'run.duration': 'Duration',
  'run.dry': 'preview',
  'run.title': 'Run {id}',
  'run.csv': 'Download per-record outcomes (CSV)',
  'run.counts': 'Counts',
  'run.failures': 'Failures',
  'run.heldItems': 'Held back',
  'run.planned': 'Planned operations',
  'live.phase': 'Phase',
  'live.rows': 'Auriga rows read',
  'live.progress': 'Operations done',
  'live.failed': 'failed',
  'live.waits': 'Rate-limit waits',
  'live.outcome': 'Finished',
  'phase.queued': 'waiting for a slot',
  'phase.auriga': 'reading Auriga',
  'phase.edusign': 'looking at Edusign',
  'phase.plan': 'planning',
  'phase.write': 'writing to Edusign',
  'phase.finished': 'finished',
  'held.title': 'Held deletions',
  'held.intro':
    'The last run would have deleted these sheets; the mass-change guard held them back.',
  'held.name': 'Sheet',
  'held.date': 'Date',
  'held.id': 'Auriga id',
  'held.why': 'Why it would go',
  'held.confirm': 'Confirm deletions',
  'held.keep': 'Keep them',
  'held.none': 'No deletion is held.',
  'held.kept': 'Kept on {at} by {by}: the console no longer asks about this set.',
  'held.deleted': '{n} sheet(s) deleted (run {runId}).',
  'held.changed':
    'Auriga changed since this list was shown: nothing was deleted. Here is the set held now.',
  'held.viewer': 'Your role may read this list; an admin of the school decides.',
  'explain.title': 'Why is this person or sheet (not) on Edusign?',
  'explain.query': 'Auriga id, name or email',
  'explain.submit': 'Search',
  'explain.none': 'Nothing known about “{q}” in the last runs or in Auriga today.',
  'explain.subject.learner': 'Learner',
  'explain.subject.instructor': 'Instructor',
  'explain.subject.sheet': 'Sheet',
  'settings.title': 'Settings of {school}',
  'settings.new': 'Set up a new school',
  'settings.readOnly':
    "This school's settings come from its configuration file given to serve --config: edit the file and restart the service.",
  'settings.name': 'School name',
  'settings.auriga': 'Auriga and its Keycloak',
  'settings.edusign': 'Edusign',
  'settings.options': 'Options and schedule',
  'settings.secretSet': 'set: leave empty to keep it',
  'settings.save': 'Save',
  'settings.check': 'Check',
  'settings.activate': 'Activate',
  'settings.saved': 'Saved.',
  'settings.active': 'Active: the schedule runs this school.',
  'settings.inactive': 'Not active yet: Check, Preview, then Activate.',
  'settings.invalid': 'Not saved:',
  'settings.notifications': 'Notifications',
  'settings.notificationsHint':
    'Who is told when a run fails, deletions are held, new problems appear, or things are back to normal. Fill in the email part, or add a webhook, or both; leave the email part empty and remove every webhook to tell nobody. Secrets are never shown: left empty, a secret is kept.',
  'settings.email': 'Email',
  'settings.webhooks': 'Webhooks',
  'settings.testNotice': 'Send a test notice',
  'tested.title': 'Test notice',
  'tested.webhook': 'Webhook',
  'tested.sent': 'sent',
  'tested.failed': 'failed',
  'field.notifications.consoleUrl': 'Console address (the links in notices)',
  'field.notifications.smtpHost': 'SMTP server',
  'field.notifications.smtpPort': 'SMTP port',
  'field.notifications.smtpStarttls': 'Require STARTTLS',
  'field.notifications.smtpUser': 'SMTP user',
  'field.notifications.smtpPassword': 'SMTP password',
  'field.notifications.from': 'Sender address',
  'field.notifications.to': 'Recipients (comma-separated)',
  'field.notifications.webhookUrl': 'Webhook {n} URL',
  'field.notifications.webhookSecret': 'Webhook {n} secret',
  'field.notifications.webhookRemove': 'Remove webhook {n}',
  'field.notifications.newWebhookUrl': 'New webhook URL',
  'field.notifications.newWebhookSecret': 'New webhook secret',
  'check.title': 'Check',
  'check.passed': 'passed',
  'check.failed': 'failed',
  'check.skipped': 'skipped',
  'check.fix': 'Fix',
  'preview.title': 'Preview: what a run would write now (nothing was written)',
  'audit.title': 'Audit log',
  'audit.at': 'When',
  'audit.who': 'Who',
  'audit.school': 'School',
  'audit.what': 'What',
  'accounts.title': 'Accounts',
  'accounts.email': 'Email',
  'accounts.role': 'Role',
  'accounts.schools': 'Schools (comma-separated)',
  'accounts.add': 'Add account',
  'accounts.link': 'One-time sign-in link (shown once):',
  'accounts.passwordSet': 'Password set',
  'error.title': 'Error',
  'error.notFound': 'No such school, or not one of yours.',
  'held.whyRemoved':
    "Intervention {id} no longer appears in Auriga's window (cancelled or moved out), and its sheet has not started.",
  'held.guard':
    'This run would delete {deletions} of the {managed} sheets it manages in the window: more than the mass-change guard lets through without a person.',
  'problem.original': 'As the report says it',
  'field.auriga.interventionsQueryId': 'Interventions favorite id',
  'field.edusign.requestsPerMinute': 'Requests per minute',
  'field.options.schedule': 'Schedule (HH:MM-HH:MM, …)',
  'field.options.maxDeleteShare': 'Guard: share of deletions held (0–1)',
  'field.options.maxDeleteCount': 'Guard: deletions held above',
  'field.auriga.url': 'Auriga URL',
  'field.auriga.keycloakUrl': 'Keycloak URL',
  'field.auriga.realm': 'Realm',
  'field.auriga.clientId': 'Client id',
  'field.auriga.clientSecret': 'Client secret',
  'field.auriga.username': 'Username',
  'field.auriga.password': 'Password (Auriga)',
  'field.auriga.groupsQueryId': 'Groups favorite id',
  'field.edusign.token': 'Edusign API token',
  'field.edusign.baseUrl': 'Edusign API URL',
  'field.options.timeZone': 'Time zone',
  'field.options.syncGroups': 'Synchronize groups',
  'field.options.windowDays': 'Window (days)',
  yes: 'yes',
  no: 'no',
  never: 'never',
} as const;

export type Key = keyof typeof en;

const fr: Record<Key, string> = {
  'app.name': 'Console Auriga ↔ Edusign',
  'nav.fleet': 'Écoles',
  'nav.audit': "Journal d'audit",
  'nav.accounts': 'Comptes',
  'nav.signOut': 'Se déconnecter',
  'nav.language': 'Langue',
  'nav.skip': 'Aller au contenu',
  'signIn.title': 'Se connecter',
  'signIn.email': 'E-mail',
  'signIn.password': 'Mot de passe',
  'signIn.submit': 'Se connecter',
  'signIn.failed': 'E-mail ou mot de passe incorrect.',
  'signIn.throttled': 'Trop de tentatives échouées : réessayez dans {minutes} minute(s).',
  'welcome.title': 'Choisissez votre mot de passe',
  'welcome.intro':
    'Ce lien ne sert qu’une fois. Choisissez un mot de passe d’au moins {min} caractères.',
  'welcome.password': 'Nouveau mot de passe',
  'welcome.confirm': 'Le même mot de passe',
  'welcome.submit': 'Enregistrer et se connecter',
  'welcome.mismatch': 'Les deux mots de passe diffèrent.',
  'welcome.short': 'Le mot de passe doit avoir au moins {min} caractères.',
  'welcome.expired': 'Ce lien a déjà servi ou a expiré : demandez-en un nouveau à un opérateur.',
  'fleet.title': 'Écoles',
  'fleet.filter': 'Filtrer',
  'fleet.counts': 'Écoles par état',
  'fleet.state': 'État',
  'fleet.search': 'Rechercher',
  'fleet.all': 'Tous les états',
  'fleet.apply': 'Appliquer',
  'fleet.school': 'École',
  'fleet.lastRun': 'Dernière exécution',
  'fleet.nextRun': 'Prochaine exécution',
  'fleet.problems': 'Problèmes ouverts',
  'fleet.none': 'Aucune école ne correspond.',
  'fleet.add': 'Configurer une nouvelle école',
  'state.healthy': 'en bonne santé',
  'state.partly_failed': 'en partie en échec',
  'state.failed': 'en échec',
  'state.deletions_held': 'suppressions retenues',
  'state.disabled': 'désactivée',
  'state.never_run': 'jamais exécutée',
  'state.interrupted': 'interrompue',
  'state.abandoned': 'abandonnée',
  'state.unknown': 'inconnu',
  'state.running': 'en cours',
  'state.succeeded': 'réussie',
  'school.state': 'État',
  'school.failure': 'La dernière exécution a échoué :',
  'school.unusable':
    'Ses réglages ne peuvent pas servir : rien n’est envoyé à Auriga ni à Edusign avec eux.',
  'school.nextRun': 'Prochaine exécution',
  'school.runNow': 'Lancer maintenant',
  'school.preview': 'Aperçu',
  'school.asked': 'Une exécution est demandée : elle démarre dès qu’une place se libère.',
  'school.already': 'Une exécution de cette école attend ou tourne déjà.',
  'school.live': 'Suivi de l’exécution',
  'school.noLive': 'Aucune exécution en cours.',
  'school.runs': 'Dernières exécutions',
  'school.chart': 'Écritures et problèmes par exécution, la plus ancienne à gauche',
  'school.writes': 'écritures',
  'school.chartProblems': 'problèmes',
  'school.problems': 'Problèmes ouverts',
  'school.noProblems': 'Aucun problème ouvert lors de la dernière exécution.',
  'school.notices': 'Notifications envoyées',
  'school.noNotices': 'Aucune notification envoyée pour le moment.',
  'notice.when': 'Mise en file',
  'notice.event': 'Événement',
  'notice.to': 'Destinataire',
  'notice.status': 'Livraison',
  'notice.attempts': 'Essais',
  'notice.next': 'prochain essai',
  'school.held': 'Suppressions retenues',
  'school.heldCount': '{n} suppression(s) retenue(s) : une personne doit décider.',
  'school.explain': 'Pourquoi cette personne ou cette feuille (n’)est-elle (pas) sur Edusign ?',
  'school.settings': 'Paramètres',
  'run.started': 'Début',
  'run.outcome': 'Résultat',
  'run.writes': 'Écritures',
  'run.problems': 'Problèmes',
  'run.calls': 'Appels Edusign',
  'run.duration': 'Durée',
  'run.dry': 'aperçu',
  'run.title': 'Exécution {id}',
  'run.csv': 'Télécharger le résultat par enregistrement (CSV)',
  'run.counts': 'Comptes',
  'run.failures': 'Échecs',
  'run.heldItems': 'Retenus',
  'run.planned': 'Opérations prévues',
  'live.phase': 'Étape',
  'live.rows': 'Lignes Auriga lues',
  'live.progress': 'Opérations faites',
  'live.failed': 'en échec',
  'live.waits': 'Attentes de limite de débit',
  'live.outcome': 'Terminée',
  'phase.queued': 'en attente d’une place',
  'phase.auriga': 'lecture d’Auriga',
  'phase.edusign': 'lecture d’Edusign',
  'phase.plan': 'planification',
  'phase.write': 'écriture sur Edusign',
  'phase.finished': 'terminée',
  'held.title': 'Suppressions retenues',
  'held.intro':
    'La dernière exécution aurait supprimé ces feuilles ; le garde-fou des changements massifs les a retenues.',
  'held.name': 'Feuille',
  'held.date': 'Date',
  'held.id': 'Id Auriga',
  'held.why': 'Pourquoi elle partirait',
  'held.confirm': 'Confirmer les suppressions',
  'held.keep': 'Les garder',
  'held.none': 'Aucune suppression retenue.',
  'held.kept': 'Gardées le {at} par {by} : la console ne redemande plus pour cet ensemble.',
  'held.deleted': '{n} feuille(s) supprimée(s) (exécution {runId}).',
  'held.changed':
    'Auriga a changé depuis l’affichage de cette liste : rien n’a été supprimé. Voici l’ensemble retenu maintenant.',
  'held.viewer': 'Votre rôle permet de lire cette liste ; un administrateur de l’école décide.',
  'explain.title': 'Pourquoi cette personne ou cette feuille (n’)est-elle (pas) sur Edusign ?',
  'explain.query': 'Id Auriga, nom ou e-mail',
  'explain.submit': 'Rechercher',
  'explain.none':
    'Rien de connu sur « {q} » dans les dernières exécutions ni dans Auriga aujourd’hui.',
  'explain.subject.learner': 'Apprenant',
  'explain.subject.instructor': 'Formateur',
  'explain.subject.sheet': 'Feuille',
  'settings.title': 'Paramètres de {school}',
  'settings.new': 'Configurer une nouvelle école',
  'settings.readOnly':
    'Les paramètres de cette école viennent de son fichier de configuration passé à serve --config : modifiez le fichier et redémarrez le service.',
  'settings.name': 'Nom de l’école',
  'settings.auriga': 'Auriga et son Keycloak',
  'settings.edusign': 'Edusign',
  'settings.options': 'Options et planning',
  'settings.secretSet': 'défini : laisser vide pour le garder',
  'settings.save': 'Enregistrer',
  'settings.check': 'Vérifier',
  'settings.activate': 'Activer',
  'settings.saved': 'Enregistré.',
  'settings.active': 'Active : le planning exécute cette école.',
  'settings.inactive': 'Pas encore active : Vérifier, Aperçu, puis Activer.',
  'settings.invalid': 'Non enregistré :',
  'settings.notifications': 'Notifications',
  'settings.notificationsHint':
    'Qui est prévenu quand une exécution échoue, que des suppressions sont retenues, que de nouveaux problèmes apparaissent, ou que tout est rentré dans l’ordre. Remplissez la partie e-mail, ou ajoutez un webhook, ou les deux ; videz la partie e-mail et supprimez tous les webhooks pour ne prévenir personne. Les secrets ne sont jamais affichés : laissé vide, un secret est conservé.',
  'settings.email': 'E-mail',
  'settings.webhooks': 'Webhooks',
  'settings.testNotice': 'Envoyer une notification de test',
  'tested.title': 'Notification de test',
  'tested.webhook': 'Webhook',
  'tested.sent': 'envoyée',
  'tested.failed': 'en échec',
  'field.notifications.consoleUrl': 'Adresse de la console (liens des notifications)',
  'field.notifications.smtpHost': 'Serveur SMTP',
  'field.notifications.smtpPort': 'Port SMTP',
  'field.notifications.smtpStarttls': 'Exiger STARTTLS',
  'field.notifications.smtpUser': 'Utilisateur SMTP',
  'field.notifications.smtpPassword': 'Mot de passe SMTP',
  'field.notifications.from': 'Adresse de l’expéditeur',
  'field.notifications.to': 'Destinataires (séparés par des virgules)',
  'field.notifications.webhookUrl': 'URL du webhook {n}',
  'field.notifications.webhookSecret': 'Secret du webhook {n}',
  'field.notifications.webhookRemove': 'Supprimer le webhook {n}',
  'field.notifications.newWebhookUrl': 'URL d’un nouveau webhook',
  'field.notifications.newWebhookSecret': 'Secret du nouveau webhook',
  'check.title': 'Vérification',
  'check.passed': 'réussie',
  'check.failed': 'en échec',
  'check.skipped': 'ignorée',
  'check.fix': 'Correction',
  'preview.title': 'Aperçu : ce qu’une exécution écrirait maintenant (rien n’a été écrit)',
  'audit.title': "Journal d'audit",
  'audit.at': 'Quand',
  'audit.who': 'Qui',
  'audit.school': 'École',
  'audit.what': 'Quoi',
  'accounts.title': 'Comptes',
  'accounts.email': 'E-mail',
  'accounts.role': 'Rôle',
  'accounts.schools': 'Écoles (séparées par des virgules)',
  'accounts.add': 'Ajouter le compte',
  'accounts.link': 'Lien de connexion à usage unique (affiché une fois) :',
  'accounts.passwordSet': 'Mot de passe défini',
  'error.title': 'Erreur',
  'error.notFound': 'Aucune école de ce nom, ou pas l’une des vôtres.',
  'held.whyRemoved':
    'L’intervention {id} n’apparaît plus dans la fenêtre d’Auriga (annulée ou déplacée), et sa feuille n’a pas commencé.',
  'held.guard':
    'Cette exécution supprimerait {deletions} des {managed} feuilles qu’elle gère dans la fenêtre : plus que le garde-fou des changements massifs ne laisse passer sans une personne.',
  'problem.original': 'Le texte du rapport (en anglais)',
  'field.auriga.interventionsQueryId': 'Id du favori Interventions',
  'field.edusign.requestsPerMinute': 'Requêtes par minute',
  'field.options.schedule': 'Planning (HH:MM-HH:MM, …)',
  'field.options.maxDeleteShare': 'Garde-fou : part de suppressions retenues (0–1)',
  'field.options.maxDeleteCount': 'Garde-fou : suppressions retenues au-delà de',
  'field.auriga.url': 'URL d’Auriga',
  'field.auriga.keycloakUrl': 'URL de Keycloak',
  'field.auriga.realm': 'Royaume (realm)',
  'field.auriga.clientId': 'Id du client',
  'field.auriga.clientSecret': 'Secret du client',
  'field.auriga.username': 'Identifiant',
  'field.auriga.password': 'Mot de passe (Auriga)',
  'field.auriga.groupsQueryId': 'Id du favori Groupes',
  'field.edusign.token': 'Jeton d’API Edusign',
  'field.edusign.baseUrl': 'URL de l’API Edusign',
  'field.options.timeZone': 'Fuseau horaire',
  'field.options.syncGroups': 'Synchroniser les groupes',
  'field.options.windowDays': 'Fenêtre (jours)',
  yes: 'oui',
  no: 'non',
  never: 'jamais',
};

/**
 * The report's problem sentences in French, by problem code: what is wrong
 * and what to do in Auriga, with the Auriga ids. The report's own sentence
 * (English, with every detail) is shown beside it. A code not listed here
 * is shown as the report gives it.
 */
const PROBLEMS_FR: Readonly<Record<string, string>> = {
  'row.end_before_start':
    'L’intervention {row} se termine avant ou quand elle commence : corrigez sa fin dans Auriga ; elle n’est pas synchronisée d’ici là.',
  'row.missing_id':
    'Une ligne du favori {favorite} n’a pas d’identifiant : corrigez-la dans Auriga ; elle n’est pas synchronisée.',
  'row.duplicate_id':
    'L’identifiant {id} apparaît sur plusieurs lignes du favori {favorite} : corrigez le favori dans Auriga.',
  'row.bad_shape':
    'La ligne {row} du favori {favorite} n’a pas la forme attendue : vérifiez les colonnes du favori dans Auriga.',
  'row.bad_label':
    'La ligne {row} du favori {favorite} a un libellé illisible : corrigez-le dans Auriga.',
  'row.bad_time':
    'La ligne {row} du favori {favorite} a une date ou une heure illisible : corrigez-la dans Auriga.',
  'person.missing_email':
    'La personne {id} n’a pas d’e-mail : ajoutez-le dans Auriga ; les feuilles sont synchronisées sans elle.',
  'person.shared_email':
    'La personne {id} partage son e-mail avec une autre : un e-mail, une personne ; corrigez-le dans Auriga.',
  'person.conflicting_details':
    'La personne {id} apparaît avec des informations différentes selon les interventions : harmonisez-les dans Auriga.',
  'person.broken_entry':
    'Une entrée de personne ({id}) de l’intervention {row} est illisible : corrigez-la dans Auriga ; le reste de l’intervention est synchronisé.',
  'sheet.no_instructor':
    'L’intervention {id} n’a aucun formateur complet (nom, prénom, e-mail) : Edusign en exige un sur chaque feuille ; complétez-le dans Auriga.',
  'group.unknown':
    'Le groupe {id} n’est pas dans le favori Groupes : ajoutez-le (ou vérifiez groupsQueryId) ; les feuilles sont synchronisées sans lui.',
  'group.missing_label': 'Le groupe {id} n’a pas de libellé : ajoutez-le dans Auriga.',
};

/** The doctor's steps (src/doctor/steps.ts), named in French. */
const STEP_TITLES_FR: Readonly<Record<string, string>> = {
  configuration: 'Réglages valides',
  'keycloak.reachable': 'Keycloak joignable',
  'keycloak.realm': 'Le realm existe',
  'keycloak.client': 'Client accepté, connexion par mot de passe autorisée',
  'keycloak.user': 'Identifiant et mot de passe acceptés',
  'auriga.api': 'API d’Auriga joignable avec le jeton',
  'auriga.favorite.interventions': 'Favori Interventions trouvé, avec ses colonnes',
  'auriga.favorite.groups': 'Favori Groupes trouvé, avec ses colonnes',
  'auriga.rows': 'Un échantillon de lignes lu',
  'edusign.token': 'Jeton Edusign valide',
  'edusign.absence_motives': 'Motifs d’absence présents sur Edusign',
  store: 'Base ouverte, schéma à jour, écriture possible',
};

/** A doctor step's title in the page's language. */
export function stepTitle(lang: Lang, id: string, title: string): string {
  return lang === 'fr' ? (STEP_TITLES_FR[id] ?? title) : title;
}

/** Why a run failed, in the page's language, or null when the report's own is the only one. */
export function failureSentence(lang: Lang, code: string): FailureSentence | null {
  if (lang === 'en') return null;
  return FAILURES_FR[code] ?? null;
}

/** A problem's sentence in the page's language, or null when the report's own is the only one. */
export function problemSentence(
  lang: Lang,
  problem: {
    code: string;
    aurigaId: string;
    row?: { favorite: string; id: string } | undefined;
  },
): string | null {
  if (lang === 'en') return null;
  const template = PROBLEMS_FR[problem.code];
  if (template === undefined) return null;
  const values: Record<string, string> = {
    id: problem.aurigaId,
    row: problem.row?.id ?? problem.aurigaId,
    favorite: problem.row?.favorite === 'groups' ? 'Groupes' : 'Interventions',
  };
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

const WORDS: Record<Lang, Record<Key, string>> = { en, fr };

export type Translate = (key: Key, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return (key, values = {}) =>
    WORDS[lang][key].replace(/\{(\w+)\}/g, (_, name: string) =>
      String(values[name] ?? `{${name}}`),
    );
}

/** The `lang` cookie, else the first language of Accept-Language we have, else English. */
export function pickLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (cookie === 'fr' || cookie === 'en') return cookie;
  const asked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase().slice(0, 2), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((a) => a.tag !== '' && !Number.isNaN(a.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of asked) if (tag === 'fr' || tag === 'en') return tag;
  return 'en';
}
