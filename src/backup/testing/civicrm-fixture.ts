/**
 * A CiviCRM-shaped schema for the backup tests: InnoDB tables with foreign keys, an ARCHIVE-engine
 * `log_civicrm_contact` (as CiviCRM's detailed logging creates), a trigger feeding it, CiviCRM's own
 * stored function `civicrm_strip_non_numeric`, a view, and rows whose strings contain quotes,
 * backslashes, semicolons, parentheses, `DELIMITER`, newlines, non-ASCII text and binary data.
 */
export const CIVICRM_SCHEMA = `
CREATE TABLE civicrm_domain (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64), version VARCHAR(32)) ENGINE=InnoDB;
CREATE TABLE civicrm_contact (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, contact_type VARCHAR(64), display_name VARCHAR(128),
  sort_name VARCHAR(128), is_deleted TINYINT NOT NULL DEFAULT 0, image_URL TEXT, hash VARCHAR(32)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE civicrm_email (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, contact_id INT UNSIGNED, email VARCHAR(254), is_primary TINYINT,
  CONSTRAINT FK_civicrm_email_contact_id FOREIGN KEY (contact_id) REFERENCES civicrm_contact(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE civicrm_contribution (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, contact_id INT UNSIGNED, total_amount DECIMAL(20,2), currency VARCHAR(3),
  receive_date DATETIME, trxn_id VARCHAR(255), invoice BLOB,
  CONSTRAINT FK_civicrm_contribution_contact_id FOREIGN KEY (contact_id) REFERENCES civicrm_contact(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE civicrm_phone (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, contact_id INT UNSIGNED, phone VARCHAR(32), phone_numeric VARCHAR(32)) ENGINE=InnoDB;
CREATE TABLE civicrm_cache (id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT, path VARCHAR(255), data LONGTEXT) ENGINE=InnoDB;
CREATE TABLE log_civicrm_contact (
  id INT UNSIGNED, display_name VARCHAR(128), log_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  log_conn_id VARCHAR(17), log_user_id INT, log_action ENUM('Initialization','Insert','Update','Delete')
) ENGINE=ARCHIVE;
CREATE TRIGGER civicrm_contact_after_insert AFTER INSERT ON civicrm_contact FOR EACH ROW
  INSERT INTO log_civicrm_contact (id, display_name, log_conn_id, log_action) VALUES (NEW.id, NEW.display_name, CONNECTION_ID(), 'Insert');
CREATE FUNCTION civicrm_strip_non_numeric(input VARCHAR(255)) RETURNS VARCHAR(255) CHARSET utf8mb4
  NO SQL DETERMINISTIC
BEGIN
  DECLARE output VARCHAR(255) DEFAULT '';
  DECLARE iterator INT DEFAULT 1;
  WHILE iterator < (LENGTH(input) + 1) DO
    IF SUBSTRING(input, iterator, 1) IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN
      SET output = CONCAT(output, SUBSTRING(input, iterator, 1));
    END IF;
    SET iterator = iterator + 1;
  END WHILE;
  RETURN output;
END;
CREATE VIEW civicrm_view_active_contact AS SELECT id, display_name FROM civicrm_contact WHERE is_deleted = 0;
`;

/** Statements that fill the schema with `contacts` contacts (and emails, contributions, phones). */
export function civicrmRows(contacts: number): string[] {
  const out: string[] = [
    "INSERT INTO civicrm_domain (name, version) VALUES ('Default Domain Name', '5.75.0')",
  ];
  const tricky = [
    "O'Brien; DROP TABLE x; --",
    "Back\\\\slash \\\\' quote",
    'Paren (one), (two);',
    'DELIMITER ;;',
    'Ünïcødé 🚀 line\\nbreak',
    '*/ /* not a comment',
  ];
  for (let i = 1; i <= contacts; i++) {
    const name = i <= tricky.length ? tricky[i - 1]! : `Contact ${i}`;
    const esc = name.replace(/'/g, "''");
    out.push(
      `INSERT INTO civicrm_contact (contact_type, display_name, sort_name, hash) VALUES ('Individual', '${esc}', '${esc}', MD5('${i}'))`,
      `INSERT INTO civicrm_email (contact_id, email, is_primary) VALUES (${i}, 'c${i}@example.org', 1)`,
      `INSERT INTO civicrm_phone (contact_id, phone, phone_numeric) VALUES (${i}, '+1 (555) 01-${i}', civicrm_strip_non_numeric('+1 (555) 01-${i}'))`,
    );
    if (i % 2 === 0) {
      out.push(
        `INSERT INTO civicrm_contribution (contact_id, total_amount, currency, receive_date, trxn_id, invoice) VALUES (${i}, ${i}.50, 'EUR', '2024-01-01 10:00:00', 'tx_${i}', UNHEX('00FF27225C3B28290A'))`,
      );
    }
  }
  return out;
}

export async function loadCivicrmFixture(
  query: (sql: string, db?: string) => Promise<unknown>,
  db: string,
  contacts = 40,
): Promise<void> {
  await query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  await query(CIVICRM_SCHEMA, db);
  // batch the inserts to keep the test quick
  const rows = civicrmRows(contacts);
  for (let i = 0; i < rows.length; i += 200) await query(rows.slice(i, i + 200).join(';\n') + ';', db);
}
