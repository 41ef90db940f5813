import type { MultiLabel } from './types.ts';

/**
 * Word lists for a French school. Names carry accents, hyphens, apostrophes
 * and spaces on purpose: they are what breaks naive parsers and email builders.
 */

// biome-ignore format: a word list reads best packed
export const FIRST_NAMES: readonly string[] = [
  'Élodie', 'Jean-Baptiste', 'Chloé', 'Léa', 'Hélène', 'Anaïs', 'Zoé', 'Noémie', 'Maëlle', 'Inès',
  'Gaëlle', 'Loïc', 'Benoît', 'Jérôme', 'Frédéric', 'Stéphane', 'Céline', 'Aurélien', 'Clément',
  'Théo', 'Raphaël', 'Mathéo', 'Joël', 'Françoise', 'Marie-Claire', 'Anne-Sophie', 'Jean-François',
  'Pierre-Louis', 'Marie-Ève', 'Séverine', 'Rémi', 'Grégoire', 'Valérie', 'Agnès', 'Bérénice',
  'Léonie', 'Thaïs', 'Yasmine', 'Mohamed', 'Karim', 'Fatoumata', 'Aïcha', 'Moussa', 'Ibrahima',
  'Lucas', 'Hugo', 'Louis', 'Emma', 'Jade', 'Camille', 'Manon', 'Sarah', 'Nathan', 'Enzo', 'Paul',
  'Antoine', 'Julien', 'Thomas', 'Nicolas', 'Sophie', 'Julie', 'Laura', 'Oriane', 'Karole', 'John',
  'Kevin', 'Björn', 'Søren', 'Zoë', 'Maëlys', 'Océane', 'Ophélie', 'Timothée', 'Eléonore', 'Adèle',
  'Mélanie', 'Hervé', 'José', 'Dolorès', 'Anh',
];

// biome-ignore format: a word list reads best packed
export const LAST_NAMES: readonly string[] = [
  'Lefèvre', "N'Diaye", "D'Angelo", 'Müller', 'Dupont', 'Martin', 'Bernard', 'Durand', 'Petit',
  'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel',
  'Fournier', 'Girard', 'Bonnet', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Faure', 'André',
  'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier',
  'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Henry', 'Roussel', 'Masson', 'Marchand', 'Duval',
  'Dumont', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Rivière', 'Brunet', 'Gaillard', 'Barbier',
  'Arnaud', 'Martínez', 'Le Goff', 'Le Gall', 'Da Silva', 'Dos Santos', 'Saint-Martin', 'Bénard',
  'Jégou', 'Hébert', 'Lévêque', 'Pérez', 'Nguyen', 'Traoré', 'Diallo', 'Kouassi', 'Benali',
  'El Amrani', "O'Connor", "L'Hermite", 'Schäfer', 'Grimaud', 'Cœur', 'Straße',
];

export interface ActivityType {
  readonly label: MultiLabel;
  /** Short French name used in session descriptions. */
  readonly short: string;
}

export const ACTIVITY_TYPES: readonly ActivityType[] = [
  { label: { en: 'Lectures', fr: 'Cours magistral' }, short: 'CM' },
  { label: { fr: 'TD' }, short: 'TD' },
  { label: { en: 'Exam' }, short: 'Examen' },
  { label: { en: 'Practical work', fr: 'Travaux pratiques' }, short: 'TP' },
  { label: { en: 'Project', fr: 'Projet' }, short: 'Projet' },
  { label: { fr: 'Soutenance' }, short: 'Soutenance' },
  { label: { en: 'Tutorial', fr: 'Travaux dirigés' }, short: 'TD' },
];

export const EDUCATIONAL_UNITS: readonly MultiLabel[] = [
  { fr: 'Éthique du numérique - ETHIX', en: 'Digital Ethics - ETHIX' },
  { fr: 'Mathématiques appliquées - MATH2' },
  { fr: "Droit de l'informatique - DROIT", en: 'IT Law - DROIT' },
  { fr: 'Anglais professionnel - ANG3', en: 'Business English - ANG3' },
  { fr: 'Réseaux et télécoms - RT' },
  { en: 'Machine Learning - ML' },
  { fr: 'Gestion de projet – GDP', en: 'Project Management – GDP' },
  { fr: "Économie d'entreprise - ECO", en: 'Business Economics - ECO' },
  { fr: 'Bases de données - BDD', en: 'Databases - BDD' },
  { fr: 'Sécurité des systèmes - SECU' },
  { fr: 'Communication & expression - COM', en: 'Communication & Expression - COM' },
  { fr: 'Algorithmique avancée - ALGO2' },
];

/** Descriptions for rows that carry neither label: the sheet is named after them. */
export const LONE_DESCRIPTIONS: readonly string[] = [
  'Réunion de rentrée',
  'Conférence métiers : cybersécurité',
  'Rattrapage – partiel de janvier',
  'Séance de tutorat',
  "Visite d'entreprise",
  'Forum des stages',
];

export interface Room {
  readonly label: string;
  readonly code: string;
}

export const ROOMS: readonly Room[] = [
  { label: 'Salle 210', code: 'S210' },
  { label: 'Amphi A – Pasteur', code: 'AMPHI-A' },
  { label: 'Classroom 210', code: 'Classroom 210' },
  { label: 'Salle B-104', code: 'B104' },
  { label: 'Labo info 3', code: 'LAB3' },
  { label: "Salle d'examen 1", code: 'EXAM1' },
  { label: 'Amphi Curie', code: 'AMPHI-C' },
  { label: 'Salle 012 (RDC)', code: 'S012' },
];

export interface Program {
  readonly code: string;
  readonly fr: string;
  readonly en: string;
  /** Level codes, first year first. */
  readonly levels: readonly string[];
}

export const PROGRAMS: readonly Program[] = [
  { code: 'ING', fr: 'Cycle ingénieur', en: 'Engineering', levels: ['ING1', 'ING2', 'ING3'] },
  { code: 'BACH', fr: 'Bachelor', en: 'Bachelor', levels: ['B1', 'B2', 'B3'] },
  { code: 'MSC', fr: 'Mastère spécialisé', en: 'Master of Science', levels: ['M1', 'M2'] },
  { code: 'PREPA', fr: 'Prépa intégrée', en: 'Preparatory', levels: ['P1', 'P2'] },
];

export const OPTIONS: readonly {
  readonly fr: string;
  readonly en: string;
  readonly code: string;
}[] = [
  { fr: 'Option Cybersécurité', en: 'Cybersecurity track', code: 'CYBER' },
  { fr: 'Option Télécoms & réseaux', en: 'Telecoms & networks track', code: 'TLS' },
  { fr: 'Anglais niveau B2', en: 'English B2', code: 'ANGB2' },
  { fr: 'Option Data & IA', en: 'Data & AI track', code: 'DATA' },
  { fr: "Option Finance d'entreprise", en: 'Corporate finance track', code: 'FIN' },
];
