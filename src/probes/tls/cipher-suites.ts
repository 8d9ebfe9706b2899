/**
 * IANA TLS cipher suite ids by weakness category, for hand-built ClientHellos: node:tls (OpenSSL 3)
 * cannot offer RC4, 3DES, single DES or EXPORT suites, so those are offered by id over a plain socket
 * and only the server's choice in its ServerHello is read (as testssl.sh does).
 */
export type WeakCategory = 'null' | 'anon' | 'export' | 'rc4' | '3des' | 'des';

const S: [number, string, WeakCategory[]][] = [
  // NULL encryption
  [0x0001, 'TLS_RSA_WITH_NULL_MD5', ['null']],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA', ['null']],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256', ['null']],
  [0xc001, 'TLS_ECDH_ECDSA_WITH_NULL_SHA', ['null']],
  [0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA', ['null']],
  [0xc00b, 'TLS_ECDH_RSA_WITH_NULL_SHA', ['null']],
  [0xc010, 'TLS_ECDHE_RSA_WITH_NULL_SHA', ['null']],
  [0xc015, 'TLS_ECDH_anon_WITH_NULL_SHA', ['null', 'anon']],
  [0x002c, 'TLS_PSK_WITH_NULL_SHA', ['null']],
  [0x002d, 'TLS_DHE_PSK_WITH_NULL_SHA', ['null']],
  [0x002e, 'TLS_RSA_PSK_WITH_NULL_SHA', ['null']],
  [0x00b0, 'TLS_PSK_WITH_NULL_SHA256', ['null']],
  [0x00b1, 'TLS_PSK_WITH_NULL_SHA384', ['null']],
  [0xc039, 'TLS_ECDHE_PSK_WITH_NULL_SHA', ['null']],
  // EXPORT (40/56-bit)
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', ['export', 'rc4']],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5', ['export']],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', ['export']],
  [0x000b, 'TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA', ['export']],
  [0x000e, 'TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA', ['export']],
  [0x0011, 'TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA', ['export']],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', ['export']],
  [0x0017, 'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5', ['export', 'anon', 'rc4']],
  [0x0019, 'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA', ['export', 'anon']],
  [0x0060, 'TLS_RSA_EXPORT1024_WITH_RC4_56_MD5', ['export', 'rc4']],
  [0x0061, 'TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5', ['export']],
  [0x0062, 'TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA', ['export']],
  [0x0063, 'TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA', ['export']],
  [0x0064, 'TLS_RSA_EXPORT1024_WITH_RC4_56_SHA', ['export', 'rc4']],
  [0x0065, 'TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA', ['export', 'rc4']],
  // RC4
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', ['rc4']],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', ['rc4']],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5', ['rc4', 'anon']],
  [0x0066, 'TLS_DHE_DSS_WITH_RC4_128_SHA', ['rc4']],
  [0x008a, 'TLS_PSK_WITH_RC4_128_SHA', ['rc4']],
  [0xc002, 'TLS_ECDH_ECDSA_WITH_RC4_128_SHA', ['rc4']],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', ['rc4']],
  [0xc00c, 'TLS_ECDH_RSA_WITH_RC4_128_SHA', ['rc4']],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', ['rc4']],
  [0xc016, 'TLS_ECDH_anon_WITH_RC4_128_SHA', ['rc4', 'anon']],
  // 3DES
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0x000d, 'TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0x0010, 'TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0x001b, 'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA', ['3des', 'anon']],
  [0x008b, 'TLS_PSK_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0xc003, 'TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0xc00d, 'TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
  [0xc017, 'TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA', ['3des', 'anon']],
  // single DES (56-bit)
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA', ['des']],
  [0x000c, 'TLS_DH_DSS_WITH_DES_CBC_SHA', ['des']],
  [0x000f, 'TLS_DH_RSA_WITH_DES_CBC_SHA', ['des']],
  [0x0012, 'TLS_DHE_DSS_WITH_DES_CBC_SHA', ['des']],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA', ['des']],
  [0x001a, 'TLS_DH_anon_WITH_DES_CBC_SHA', ['des', 'anon']],
  // anonymous (no authentication)
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA', ['anon']],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA', ['anon']],
  [0x006c, 'TLS_DH_anon_WITH_AES_128_CBC_SHA256', ['anon']],
  [0x006d, 'TLS_DH_anon_WITH_AES_256_CBC_SHA256', ['anon']],
  [0x00a6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256', ['anon']],
  [0x00a7, 'TLS_DH_anon_WITH_AES_256_GCM_SHA384', ['anon']],
  [0x0046, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA', ['anon']],
  [0x0089, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA', ['anon']],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', ['anon']],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA', ['anon']],
];

/** Ordinary suites (none of the weak categories), so that a "does it speak this version" hello finds a match. */
const ORDINARY: [number, string][] = [
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA'],
  [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA'],
];

const NAMES = new Map<number, string>([...S.map(([id, n]) => [id, n] as const), ...ORDINARY]);

/** Suite ids of one weak category. */
export function suitesOf(category: WeakCategory): number[] {
  return S.filter(([, , cats]) => cats.includes(category)).map(([id]) => id);
}

/** Every suite in the tables: ordinary ones first, then the weak ones. */
export function allSuites(): number[] {
  return [...ORDINARY.map(([id]) => id), ...S.map(([id]) => id)];
}

/** IANA name of a suite id, or its hex value. */
export function suiteName(id: number): string {
  return NAMES.get(id) ?? `0x${id.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** Categories a suite id belongs to (empty for ordinary suites). */
export function categoriesOf(id: number): WeakCategory[] {
  return S.find(([sid]) => sid === id)?.[2] ?? [];
}

/** SSLv2 cipher kinds (3-byte ids) offered in an SSLv2 CLIENT-HELLO. */
export const SSL2_CIPHER_KINDS: [number, string][] = [
  [0x010080, 'SSL_CK_RC4_128_WITH_MD5'],
  [0x020080, 'SSL_CK_RC4_128_EXPORT40_WITH_MD5'],
  [0x030080, 'SSL_CK_RC2_128_CBC_WITH_MD5'],
  [0x040080, 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5'],
  [0x050080, 'SSL_CK_IDEA_128_CBC_WITH_MD5'],
  [0x060040, 'SSL_CK_DES_64_CBC_WITH_MD5'],
  [0x0700c0, 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5'],
];
