/**
 * The seed card's cast, as directory lines and accounts. Structure ids are invented but
 * shaped like the real ones (F + FINESS, C + SIRET). Everyone signs in with DEMO_PASSWORD.
 */
export const DEMO_PASSWORD = 'relais-demo';

export interface DemoStructure {
  key: string;
  name: string;
  postcode: string;
  communeCode: string;
  city: string;
  departement: string;
}

export const STRUCTURES = {
  sesan: {
    key: 'F930029744',
    name: 'DAC SESAN',
    postcode: '93200',
    communeCode: '93066',
    city: 'Saint-Denis',
    departement: '93',
  },
  testpm: {
    key: 'F930099999',
    name: 'testpmsesan',
    postcode: '93200',
    communeCode: '93066',
    city: 'Saint-Denis',
    departement: '93',
  },
  msf: {
    key: 'C31378404400049',
    name: 'MSF',
    postcode: '75011',
    communeCode: '75111',
    city: 'Paris',
    departement: '75',
  },
} satisfies Record<string, DemoStructure>;

export interface DemoPerson {
  rpps: string;
  civility: 'M' | 'MME';
  lastName: string;
  firstName: string;
  profession: [code: string, label: string];
  speciality?: [code: string, label: string];
  structure: DemoStructure;
  email: string;
  description: string;
  memberOf?: DemoStructure;
  /** Days since last activity: over 30 makes the account inactive. */
  idleDays: number;
  isAdmin?: boolean;
}

export const PEOPLE: DemoPerson[] = [
  {
    rpps: '10009999001',
    civility: 'MME',
    lastName: 'BERNARD',
    firstName: 'Mathilde',
    profession: ['60', 'Infirmier'],
    structure: STRUCTURES.msf,
    memberOf: STRUCTURES.msf,
    email: 'mathilde@demo.relais.test',
    description: 'nurse, answers on behalf of MSF',
    idleDays: 0,
  },
  {
    rpps: '10009999002',
    civility: 'MME',
    lastName: 'MARTIN',
    firstName: 'Claire',
    profession: ['10', 'Médecin'],
    speciality: ['SM54', 'Médecine générale'],
    structure: STRUCTURES.sesan,
    memberOf: STRUCTURES.sesan,
    email: 'claire.martin@demo.relais.test',
    description: 'GP, member of DAC SESAN, administrator',
    idleDays: 1,
    isAdmin: true,
  },
  {
    rpps: '10009999003',
    civility: 'M',
    lastName: 'BENALI',
    firstName: 'Karim',
    profession: ['60', 'Infirmier'],
    structure: STRUCTURES.sesan,
    memberOf: STRUCTURES.sesan,
    email: 'karim.benali@demo.relais.test',
    description: 'coordinating nurse, member of DAC SESAN',
    idleDays: 2,
  },
  {
    rpps: '10009999004',
    civility: 'MME',
    lastName: "N'DIAYE",
    firstName: 'Hélène',
    profession: ['10', 'Médecin'],
    speciality: ['SM04', 'Cardiologie'],
    structure: STRUCTURES.msf,
    email: 'helene.ndiaye@demo.relais.test',
    description: 'cardiologist, active',
    idleDays: 3,
  },
  {
    rpps: '10009999005',
    civility: 'M',
    lastName: 'DUPONT',
    firstName: 'Jean-François',
    profession: ['70', 'Masseur-Kinésithérapeute'],
    structure: STRUCTURES.testpm,
    email: 'jf.dupont@demo.relais.test',
    description: 'physiotherapist, inactive for 45 days',
    idleDays: 45,
  },
];
