/** Shapes of the Relais REST API as the web components read them. */
export interface Account {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  locale: string | null;
  timeZone: string | null;
  professionalId: number | null;
  isAdmin: boolean;
}

export interface MemberStructure {
  id: number;
  name: string;
  city: string | null;
  role: string;
}

export interface Me extends Account {
  structures: MemberStructure[];
}

export interface SessionGrant {
  token: string;
  expiresAt: string;
  account: Account;
}
