/**
 * Why a run failed as a whole, in French, by error code: what happened and
 * what to change. The English message keeps every detail (the URL tried, the
 * status, the favorite's id); a French page shows this sentence and the
 * English one beside it. A code not listed here is shown as the report
 * gives it.
 */
export interface FailureSentence {
  readonly message: string;
  readonly fix?: string;
}

export const FAILURES_FR: Readonly<Record<string, FailureSentence>> = Object.freeze({
  'auriga.keycloak_unreachable': {
    message:
      'Le Keycloak d’Auriga ne répond pas (nom introuvable, connexion refusée ou délai dépassé).',
    fix: 'Vérifiez l’adresse Keycloak dans les réglages ; si elle est juste, réessayez plus tard.',
  },
  'auriga.keycloak_unavailable': {
    message: 'Le Keycloak d’Auriga est momentanément indisponible.',
    fix: 'Rien à changer : l’exécution suivante réessaiera.',
  },
  'auriga.keycloak_unexpected': {
    message: 'Quelque chose répond à l’adresse Keycloak, mais pas comme un Keycloak.',
    fix: 'Vérifiez l’adresse Keycloak (celle qu’Auriga utilise pour la connexion).',
  },
  'auriga.unknown_realm': {
    message: 'Ce Keycloak n’a pas de realm de ce nom.',
    fix: 'Corrigez le realm dans les réglages (votre hébergeur Auriga le connaît).',
  },
  'auriga.keycloak_not_found': {
    message: 'Aucun realm Keycloak ne répond à l’adresse donnée.',
    fix: 'Collez l’adresse Keycloak telle qu’Auriga la donne, avec ou sans /auth.',
  },
  'auriga.unknown_client': {
    message: 'Keycloak ne connaît pas ce client (absent du realm, désactivé ou public).',
    fix: 'Vérifiez l’identifiant du client, ou demandez qu’il soit créé en client confidentiel.',
  },
  'auriga.invalid_client_secret': {
    message: 'Keycloak refuse le secret du client.',
    fix: 'Copiez à nouveau le secret du client depuis Keycloak dans les réglages.',
  },
  'auriga.direct_grants_disabled': {
    message: 'Le client Keycloak n’autorise pas la connexion par mot de passe.',
    fix: 'Activez « Direct Access Grants » sur ce client dans Keycloak.',
  },
  'auriga.sign_in_refused': {
    message: 'Keycloak refuse ce mode de connexion à ce client.',
    fix: 'Autorisez la connexion par mot de passe pour ce client dans Keycloak.',
  },
  'auriga.invalid_credentials': {
    message: 'Keycloak refuse l’identifiant ou le mot de passe du compte Auriga.',
    fix: 'Saisissez à nouveau l’identifiant et le mot de passe du compte de synchronisation.',
  },
  'auriga.account_not_ready': {
    message:
      'Le compte Auriga ne peut pas se connecter (désactivé, ou une action attend dans Keycloak).',
    fix: 'Connectez-vous une fois avec ce compte pour terminer ses actions, ou faites-le réactiver.',
  },
  'auriga.refresh_refused': {
    message: 'Keycloak a refusé de prolonger la session.',
    fix: 'Rien à changer : l’exécution suivante se reconnecte.',
  },
  'auriga.sign_in_failed': {
    message: 'La connexion à Keycloak a échoué.',
    fix: 'Le message d’origine donne le code de Keycloak ; lancez « Vérifier » pour le détail.',
  },
  'auriga.unauthorized': {
    message:
      'Auriga refuse le jeton obtenu de Keycloak : ce Keycloak n’est sans doute pas celui de cet Auriga.',
    fix: 'Vérifiez que l’adresse Keycloak et le realm sont ceux de cette instance d’Auriga.',
  },
  'auriga.unavailable': {
    message: 'Auriga est momentanément indisponible.',
    fix: 'Rien à changer : l’exécution suivante réessaiera.',
  },
  'auriga.forbidden': {
    message: 'Auriga refuse l’accès au favori à ce compte.',
    fix: 'Partagez le favori avec le compte de synchronisation, ou ajoutez les en-têtes que votre instance exige.',
  },
  'auriga.not_found': {
    message: 'Auriga ne trouve pas le favori demandé.',
    fix: 'Vérifiez l’identifiant du favori et l’adresse d’Auriga.',
  },
  'auriga.html_answer': {
    message:
      'Auriga a répondu par une page web au lieu de données (page de connexion, pare-feu ou proxy).',
    fix: 'Vérifiez l’adresse d’Auriga : elle doit être celle de son API.',
  },
  'auriga.bad_answer': {
    message: 'La réponse d’Auriga n’a pas la forme attendue.',
    fix: 'Vérifiez l’adresse d’Auriga ; si le problème reste, transmettez le message d’origine au support.',
  },
  'auriga.request_failed': { message: 'Un appel à Auriga a échoué.' },
  'auriga.favorite_not_in_menus': {
    message: 'Le favori n’apparaît dans aucun menu du compte de synchronisation.',
    fix: 'Ajoutez le favori aux menus de ce compte dans Auriga.',
  },
  'auriga.favorite_too_large': {
    message:
      'Le favori a plus de pages que la synchronisation n’en lit : rien n’est tronqué, l’exécution s’arrête.',
    fix: 'Restreignez le favori à la fenêtre synchronisée, ou augmentez auriga.maxPages.',
  },
  'auriga.missing_columns': {
    message: 'Il manque au favori des colonnes nécessaires.',
    fix: 'Ajoutez au favori les colonnes nommées dans le message d’origine.',
  },
  'auriga.incomplete_read': {
    message: 'Auriga n’a pas été lu en entier : aucune feuille n’est supprimée cette fois.',
    fix: 'Rien à changer si cela reste rare ; l’exécution suivante relit tout.',
  },
  'edusign.unauthorized': {
    message: 'Edusign refuse le jeton d’API.',
    fix: 'Copiez à nouveau le jeton d’API depuis Edusign (Paramètres › API) dans les réglages.',
  },
  'edusign.forbidden': {
    message: 'Edusign refuse cette action à ce compte.',
    fix: 'Vérifiez les droits du jeton d’API dans Edusign.',
  },
  'edusign.payment_required': {
    message: 'Le compte Edusign n’a pas l’abonnement nécessaire à l’API.',
    fix: 'Voyez avec Edusign l’abonnement de votre établissement.',
  },
  'edusign.unavailable': {
    message: 'Edusign est momentanément indisponible.',
    fix: 'Rien à changer : l’exécution suivante réessaiera.',
  },
  'edusign.bad_response': {
    message: 'La réponse d’Edusign n’a pas la forme attendue.',
    fix: 'Vérifiez l’adresse de l’API Edusign dans les réglages.',
  },
  'fleet.cannot_decrypt': {
    message: 'Les secrets de cet établissement ne s’ouvrent pas avec la clé de ce serveur.',
    fix: 'Donnez la clé d’origine (AURIGA_EDUSIGN_SECRET_KEY_PREVIOUS), ou saisissez à nouveau ses secrets.',
  },
  'store.unreachable': {
    message: 'La base de données de la synchronisation ne répond pas.',
    fix: 'Rien n’est perdu : l’exécution suivante reprend où celle-ci s’est arrêtée.',
  },
  'sync.interrupted': {
    message: 'L’exécution a été interrompue (arrêt du service).',
    fix: 'Rien à changer : la fenêtre sera servie par une exécution suivante.',
  },
  'sync.unexpected': {
    message: 'Une erreur inattendue a arrêté l’exécution.',
    fix: 'Transmettez le message d’origine au support.',
  },
});
