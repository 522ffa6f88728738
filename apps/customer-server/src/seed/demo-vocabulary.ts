/** Word lists of the demo and bulk data. Fictional people; example.* domains only (RFC 2606). */

/** First names (a few with diacritics, so search and emails handle them). */
export const FIRST_NAMES: readonly string[] = [
  'John',
  'Jane',
  'Maria',
  'James',
  'Anna',
  'Robert',
  'Laura',
  'Michael',
  'Sophie',
  'David',
  'Emma',
  'Thomas',
  'Olivia',
  'Daniel',
  'Chloé',
  'Lukas',
  'Mia',
  'Jonas',
  'Léa',
  'Mateo',
  'Sofia',
  'Noah',
  'Hannah',
  'Elias',
  'Isabel',
  'Oliver',
  'Amelia',
  'Jakub',
  'Zoë',
  'Lars',
  'Ingrid',
  'Pieter',
  'Femke',
  'Giulia',
  'Marco',
  'Chiara',
  'José',
  'Lucía',
  'Carlos',
  'Ana',
  'Pierre',
  'Camille',
  'Henrik',
  'Astrid',
  'Ewa',
  'Piotr',
  'Aoife',
  'Liam',
  'Siobhan',
  'Niamh',
  'Kofi',
  'Amara',
  'Ravi',
  'Priya',
  'Yuki',
  'Kenji',
  'Omar',
  'Leila',
  'Sven',
  'Greta',
];

/** Last names. */
export const LAST_NAMES: readonly string[] = [
  'Smith',
  'Johnson',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Brown',
  'Williams',
  'Jones',
  'Taylor',
  'Wilson',
  'Davies',
  'Evans',
  'Martin',
  'Bernard',
  'Dubois',
  'Durand',
  'Lefebvre',
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'García',
  'Fernández',
  'López',
  'Martínez',
  'Sánchez',
  'de Vries',
  'Jansen',
  'van Dijk',
  'Bakker',
  'Visser',
  'Nowak',
  'Kowalski',
  'Wiśniewski',
  'Johansson',
  'Andersson',
  'Nilsen',
  'Hansen',
  'Murphy',
  "O'Brien",
  'Kelly',
  'Walsh',
  'Mensah',
  'Okafor',
  'Patel',
  'Sharma',
  'Tanaka',
  'Suzuki',
  'Haddad',
  'Nguyen',
  'Novák',
  'Horvat',
  'Papadopoulos',
  'Silva',
];

/** Email domains (reserved example domains). */
export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'shop.example.org'];

/** A city with the facts an address needs. */
export interface DemoCity {
  city: string;
  region: string | null;
  country: string;
  /** Postal code pattern: `9` is a digit, `A` a letter, anything else literal. */
  postal: string;
  /** E.164 country calling code without "+". */
  phonePrefix: string;
}

/** Cities of the demo addresses. */
export const CITIES: readonly DemoCity[] = [
  { city: 'Berlin', region: null, country: 'DE', postal: '1999', phonePrefix: '49' },
  { city: 'Munich', region: 'Bavaria', country: 'DE', postal: '8999', phonePrefix: '49' },
  { city: 'Hamburg', region: null, country: 'DE', postal: '2999', phonePrefix: '49' },
  { city: 'Vienna', region: null, country: 'AT', postal: '1999', phonePrefix: '43' },
  { city: 'Zurich', region: 'ZH', country: 'CH', postal: '8999', phonePrefix: '41' },
  { city: 'Paris', region: 'Île-de-France', country: 'FR', postal: '75999', phonePrefix: '33' },
  { city: 'Lyon', region: 'Auvergne-Rhône-Alpes', country: 'FR', postal: '69999', phonePrefix: '33' },
  { city: 'Amsterdam', region: 'Noord-Holland', country: 'NL', postal: '1999 AA', phonePrefix: '31' },
  { city: 'Rotterdam', region: 'Zuid-Holland', country: 'NL', postal: '3999 AA', phonePrefix: '31' },
  { city: 'Madrid', region: 'Madrid', country: 'ES', postal: '28999', phonePrefix: '34' },
  { city: 'Barcelona', region: 'Catalonia', country: 'ES', postal: '08999', phonePrefix: '34' },
  { city: 'Milan', region: 'Lombardy', country: 'IT', postal: '20999', phonePrefix: '39' },
  { city: 'Rome', region: 'Lazio', country: 'IT', postal: '00999', phonePrefix: '39' },
  { city: 'London', region: null, country: 'GB', postal: 'AA9 9AA', phonePrefix: '44' },
  { city: 'Manchester', region: null, country: 'GB', postal: 'M99 9AA', phonePrefix: '44' },
  { city: 'Dublin', region: 'Leinster', country: 'IE', postal: 'D99 A9A9', phonePrefix: '353' },
  { city: 'Warsaw', region: 'Masovia', country: 'PL', postal: '09-999', phonePrefix: '48' },
  { city: 'Stockholm', region: null, country: 'SE', postal: '199 99', phonePrefix: '46' },
  { city: 'Copenhagen', region: null, country: 'DK', postal: '1999', phonePrefix: '45' },
  { city: 'Oslo', region: null, country: 'NO', postal: '0999', phonePrefix: '47' },
  { city: 'Lisbon', region: null, country: 'PT', postal: '1999-999', phonePrefix: '351' },
  { city: 'Brussels', region: null, country: 'BE', postal: '1999', phonePrefix: '32' },
  { city: 'New York', region: 'NY', country: 'US', postal: '10999', phonePrefix: '1' },
  { city: 'Austin', region: 'TX', country: 'US', postal: '78999', phonePrefix: '1' },
  { city: 'Toronto', region: 'ON', country: 'CA', postal: 'A9A 9A9', phonePrefix: '1' },
];

/** Street names. */
export const STREETS: readonly string[] = [
  'Main Street',
  'High Street',
  'Station Road',
  'Church Lane',
  'Park Avenue',
  'Mill Road',
  'Lindenstraße',
  'Hauptstraße',
  'Bahnhofstraße',
  'Rue de la Paix',
  'Rue Victor Hugo',
  'Via Roma',
  'Calle Mayor',
  'Keizersgracht',
  'Prinsengracht',
  'Ulica Długa',
  'Storgatan',
  'Rua Augusta',
  'Queen Street',
  'King Street',
];

/** Second address lines. */
export const LINE2: readonly string[] = ['Apartment 4', '2nd floor', 'Flat 12B', 'c/o Reception', 'Unit 7', 'Back building'];

/** Texts of demo staff notes. */
export const NOTE_TEXTS: readonly string[] = [
  'Called about a late delivery; offered free shipping on the next order.',
  'Prefers contact by email, not phone.',
  'Asked to be informed when the winter collection is back in stock.',
  'Complained about a damaged parcel; replacement sent.',
  'Long-standing customer, very satisfied with the service.',
  'Requested an invoice with a VAT number for the last order.',
  'Returned two items, refund confirmed.',
  'Interested in the loyalty programme; explained the tiers.',
  'Reported a problem with the checkout page on mobile.',
  'Wants deliveries left with the neighbour when not at home.',
];

/** Reasons of demo status changes. */
export const SUSPENSION_REASONS: readonly string[] = ['Payment dispute under review', 'Repeated failed payments', 'Chargeback investigation'];
/** Reasons of demo blocks. */
export const BLOCK_REASONS: readonly string[] = ['Confirmed fraudulent orders', 'Abusive behaviour towards staff'];
