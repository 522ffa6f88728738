/** One category of the generated catalog and the words its products are made of. */
export interface CategoryVocabulary {
  /** Category slug (products.category). */
  readonly slug: string;
  /** Two or three letters, upper case: the start of every generated SKU of the category. */
  readonly code: string;
  /** What a product of the category is called (the last words of its name). */
  readonly nouns: readonly string[];
  /** Features that go before the noun (zero or one per product). */
  readonly features: readonly string[];
  /** Phrases the description is made of. */
  readonly details: readonly string[];
  /** Price range in euro cents, inclusive. */
  readonly price: readonly [number, number];
  /** Relative share of the catalog (weights are summed over all categories). */
  readonly weight: number;
}

/** Fictional brands; any product may carry any brand. */
// A word list: one brand per line would make the data 60 lines longer and no easier to read.
// prettier-ignore
export const BRANDS: readonly string[] = [
  'Auralis', 'Sonvio', 'Kestrel', 'Nordlys', 'Vantor', 'Lumeo', 'Brightwave', 'Corvid', 'Tessera', 'Halden',
  'Quillon', 'Zephra', 'Orbica', 'Marlow', 'Pivotek', 'Solace', 'Ironleaf', 'Nimbra', 'Veltro', 'Ardent',
  'Cobaltix', 'Fennick', 'Glimt', 'Hexon', 'Jovian', 'Kairo', 'Lyric', 'Mosaik', 'Northpeak', 'Oskaro',
];

/** Colours a product name ends with. */
export const COLORS: readonly string[] = ['Black', 'White', 'Silver', 'Graphite', 'Midnight Blue', 'Forest Green', 'Sand', 'Red', 'Rose Gold', 'Space Grey'];

/** Model suffixes. */
export const MODELS: readonly string[] = ['Pro', 'Max', 'Lite', 'Mini', 'Plus', 'Air', 'Studio', 'Go', 'One', 'Ultra', 'S', 'X', 'Neo', 'Flex', 'Core'];

/** The categories of the generated catalog. */
export const CATEGORIES: readonly CategoryVocabulary[] = [
  {
    slug: 'headphones',
    code: 'HP',
    nouns: ['Headphones', 'Over-Ear Headphones', 'On-Ear Headphones', 'Studio Headphones'],
    features: ['Wireless', 'Bluetooth', 'Noise Cancelling', 'Wireless Noise Cancelling', 'Wired', 'Foldable', 'Gaming'],
    details: [
      '40 mm drivers',
      'up to 30 hours of battery life',
      'active noise cancellation',
      'memory foam ear cushions',
      'USB-C fast charging',
      'built-in microphone for calls',
      'multipoint Bluetooth pairing',
      'detachable 3.5 mm cable',
    ],
    price: [2999, 44999],
    weight: 6,
  },
  {
    slug: 'earbuds',
    code: 'EB',
    nouns: ['Earbuds', 'True Wireless Earbuds', 'In-Ear Headphones', 'Sport Earbuds'],
    features: ['Wireless', 'Bluetooth', 'Noise Cancelling', 'Waterproof', 'Open-Ear'],
    details: [
      'charging case with 24 hours of extra playtime',
      'IPX5 sweat resistance',
      'touch controls',
      'transparency mode',
      'three sizes of silicone tips',
      'low-latency game mode',
    ],
    price: [1999, 29999],
    weight: 5,
  },
  {
    slug: 'speakers',
    code: 'SP',
    nouns: ['Speaker', 'Portable Speaker', 'Bookshelf Speakers', 'Smart Speaker', 'Party Speaker'],
    features: ['Wireless', 'Bluetooth', 'Waterproof', 'Outdoor', 'Wi-Fi'],
    details: ['360-degree sound', '20 hours of playtime', 'IP67 dust and water protection', 'stereo pairing', 'deep bass radiator', 'voice assistant built in'],
    price: [2499, 59999],
    weight: 5,
  },
  {
    slug: 'soundbars',
    code: 'SB',
    nouns: ['Soundbar', 'Soundbar with Subwoofer', 'Compact Soundbar'],
    features: ['Dolby Atmos', 'Wireless', 'Bluetooth', '5.1 Channel'],
    details: ['HDMI eARC', 'wireless subwoofer', 'dialogue enhancement', 'night mode', 'optical input', 'wall-mount kit included'],
    price: [9999, 99999],
    weight: 2,
  },
  {
    slug: 'keyboards',
    code: 'KB',
    nouns: ['Keyboard', 'Mechanical Keyboard', 'Compact Keyboard', 'Ergonomic Keyboard'],
    features: ['Wireless', 'Bluetooth', 'Backlit', 'Gaming', 'Low-Profile', 'Silent'],
    details: [
      'hot-swappable switches',
      'per-key RGB lighting',
      'aluminium top plate',
      'USB-C connection',
      'multi-device switching',
      'PBT double-shot keycaps',
      'German QWERTZ layout',
      'US ANSI layout',
    ],
    price: [1999, 24999],
    weight: 5,
  },
  {
    slug: 'mice',
    code: 'MS',
    nouns: ['Mouse', 'Gaming Mouse', 'Ergonomic Mouse', 'Travel Mouse', 'Trackball'],
    features: ['Wireless', 'Bluetooth', 'Silent', 'Rechargeable', 'Lightweight'],
    details: ['16000 DPI optical sensor', 'six programmable buttons', '70 days of battery life', 'vertical grip', 'USB receiver stored inside', 'PTFE feet'],
    price: [999, 14999],
    weight: 5,
  },
  {
    slug: 'monitors',
    code: 'MN',
    nouns: ['Monitor', 'Gaming Monitor', 'Curved Monitor', 'Portable Monitor', '4K Monitor'],
    features: ['27-inch', '24-inch', '32-inch', 'Ultrawide', 'USB-C', 'IPS'],
    details: [
      '144 Hz refresh rate',
      'HDR400',
      'height-adjustable stand',
      'USB-C with 65 W power delivery',
      'built-in speakers',
      'flicker-free backlight',
      '1 ms response time',
    ],
    price: [11999, 119999],
    weight: 4,
  },
  {
    slug: 'laptops',
    code: 'LT',
    nouns: ['Laptop', 'Notebook', 'Ultrabook', 'Gaming Laptop', '2-in-1 Laptop'],
    features: ['14-inch', '15-inch', '13-inch', 'Lightweight', 'Business'],
    details: ['16 GB RAM', '512 GB SSD', '1 TB SSD', 'backlit keyboard', 'fingerprint reader', 'all-day battery', 'Wi-Fi 6E', 'OLED display'],
    price: [49999, 299999],
    weight: 3,
  },
  {
    slug: 'tablets',
    code: 'TB',
    nouns: ['Tablet', 'Drawing Tablet', 'E-Reader', 'Kids Tablet'],
    features: ['10-inch', '11-inch', '8-inch', 'Wi-Fi', 'LTE'],
    details: ['128 GB storage', 'stylus support', 'quad speakers', 'all-day battery', 'paper-like display', 'parental controls'],
    price: [8999, 129999],
    weight: 3,
  },
  {
    slug: 'smartphones',
    code: 'PH',
    nouns: ['Smartphone', 'Phone', 'Rugged Phone', 'Foldable Phone'],
    features: ['5G', 'Dual-SIM', 'Compact', 'Unlocked'],
    details: ['triple camera', '120 Hz display', '5000 mAh battery', '256 GB storage', 'wireless charging', 'IP68 water resistance'],
    price: [14999, 179999],
    weight: 3,
  },
  {
    slug: 'phone-cases',
    code: 'PC',
    nouns: ['Phone Case', 'Wallet Case', 'Clear Case', 'Rugged Case'],
    features: ['Shockproof', 'Slim', 'Leather', 'MagSafe-Compatible', 'Recycled'],
    details: ['raised camera lip', 'drop tested to 3 metres', 'card slot', 'wireless charging compatible', 'anti-yellowing'],
    price: [999, 5999],
    weight: 6,
  },
  {
    slug: 'chargers',
    code: 'CH',
    nouns: ['Charger', 'Wall Charger', 'Wireless Charger', 'Car Charger', 'Charging Station'],
    features: ['65 W', '30 W', '100 W', 'GaN', 'Fast', 'Dual-Port'],
    details: ['USB-C Power Delivery', 'foldable plug', 'charges a laptop and a phone at once', 'overheat protection', 'Qi2 certified'],
    price: [999, 9999],
    weight: 6,
  },
  {
    slug: 'cables',
    code: 'CB',
    nouns: ['USB-C Cable', 'HDMI Cable', 'Lightning Cable', 'DisplayPort Cable', 'Ethernet Cable'],
    features: ['Braided', '2 m', '1 m', '3 m', 'High-Speed', 'Right-Angle'],
    details: ['supports 8K at 60 Hz', '240 W charging', '40 Gbps data', 'nylon braided', 'gold-plated connectors', 'Cat 6 shielded'],
    price: [499, 3999],
    weight: 7,
  },
  {
    slug: 'power-banks',
    code: 'PB',
    nouns: ['Power Bank', 'Portable Charger', 'Battery Pack'],
    features: ['20000 mAh', '10000 mAh', 'Wireless', 'Slim', 'Magnetic'],
    details: ['charges two devices at once', 'USB-C in and out', 'LED charge indicator', 'airline safe', '65 W laptop charging'],
    price: [1999, 11999],
    weight: 4,
  },
  {
    slug: 'smartwatches',
    code: 'SW',
    nouns: ['Smartwatch', 'Sports Watch', 'Hybrid Watch'],
    features: ['GPS', 'LTE', 'Waterproof', 'Solar'],
    details: ['heart-rate monitor', 'sleep tracking', '14-day battery', 'AMOLED display', 'contactless payments', 'swim tracking'],
    price: [7999, 79999],
    weight: 3,
  },
  {
    slug: 'fitness-trackers',
    code: 'FT',
    nouns: ['Fitness Tracker', 'Activity Band', 'Smart Ring'],
    features: ['Waterproof', 'Slim', 'GPS'],
    details: ['step counter', 'sleep score', 'blood oxygen sensor', '7-day battery', 'silent vibration alarm'],
    price: [2999, 29999],
    weight: 2,
  },
  {
    slug: 'cameras',
    code: 'CM',
    nouns: ['Camera', 'Mirrorless Camera', 'Action Camera', 'Instant Camera', 'Compact Camera'],
    features: ['4K', 'Waterproof', 'Full-Frame', 'Vlogging'],
    details: ['24 MP sensor', 'image stabilisation', 'flip-up screen', 'dual card slots', 'weather sealing', '10-bit video'],
    price: [9999, 249999],
    weight: 3,
  },
  {
    slug: 'lenses',
    code: 'LN',
    nouns: ['Lens', 'Prime Lens', 'Zoom Lens', 'Macro Lens'],
    features: ['50 mm', '35 mm', '24-70 mm', '85 mm', 'Wide-Angle'],
    details: ['fast autofocus', 'f/1.8 aperture', 'weather-sealed mount', 'optical stabilisation', 'low dispersion glass'],
    price: [14999, 199999],
    weight: 2,
  },
  {
    slug: 'microphones',
    code: 'MC',
    nouns: ['Microphone', 'USB Microphone', 'Lavalier Microphone', 'Shotgun Microphone'],
    features: ['Wireless', 'Condenser', 'Dynamic', 'Podcast'],
    details: ['cardioid pickup pattern', 'zero-latency monitoring', 'pop filter included', 'shock mount', '24-bit recording'],
    price: [2999, 39999],
    weight: 3,
  },
  {
    slug: 'webcams',
    code: 'WC',
    nouns: ['Webcam', 'Streaming Camera', 'Conference Camera'],
    features: ['4K', '1080p', 'Wide-Angle', 'Auto-Focus'],
    details: ['privacy shutter', 'dual microphones', 'auto light correction', 'tripod thread', 'face tracking'],
    price: [2999, 24999],
    weight: 2,
  },
  {
    slug: 'routers',
    code: 'RT',
    nouns: ['Router', 'Mesh System', 'Range Extender', 'Access Point'],
    features: ['Wi-Fi 6', 'Wi-Fi 7', 'Tri-Band', 'Dual-Band'],
    details: ['covers up to 250 square metres', 'four gigabit ports', 'parental controls', 'WPA3 security', 'VPN server'],
    price: [3999, 59999],
    weight: 2,
  },
  {
    slug: 'storage',
    code: 'ST',
    nouns: ['External SSD', 'Hard Drive', 'USB Flash Drive', 'Memory Card', 'NAS'],
    features: ['1 TB', '2 TB', '512 GB', 'Rugged', 'Portable'],
    details: ['up to 1050 MB/s', 'USB 3.2 Gen 2', 'hardware encryption', 'shock resistant', 'includes USB-C and USB-A cables'],
    price: [1499, 69999],
    weight: 5,
  },
  {
    slug: 'game-controllers',
    code: 'GC',
    nouns: ['Controller', 'Gamepad', 'Racing Wheel', 'Arcade Stick'],
    features: ['Wireless', 'Bluetooth', 'Pro', 'Ergonomic'],
    details: ['hall-effect sticks', 'remappable back buttons', 'rumble motors', '30 hours of battery', 'works with PC and consoles'],
    price: [2999, 34999],
    weight: 3,
  },
  {
    slug: 'printers',
    code: 'PR',
    nouns: ['Printer', 'Laser Printer', 'Photo Printer', 'All-in-One Printer', 'Label Printer'],
    features: ['Wireless', 'Colour', 'Duplex', 'Compact'],
    details: ['automatic double-sided printing', '30 pages per minute', 'refillable ink tanks', 'scan to cloud', 'mobile printing'],
    price: [5999, 69999],
    weight: 2,
  },
  {
    slug: 'desk-lamps',
    code: 'DL',
    nouns: ['Desk Lamp', 'Monitor Light Bar', 'Reading Light', 'Ring Light'],
    features: ['LED', 'Dimmable', 'Smart', 'Wireless Charging'],
    details: ['adjustable colour temperature', 'touch dimmer', 'flicker-free', 'USB charging port', 'clamp mount'],
    price: [1999, 14999],
    weight: 2,
  },
];
