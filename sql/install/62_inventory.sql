-- 62_inventory.sql — MINIMAL STUB of the information inventory (重要情報目録, ①).
--
-- The real inventory is built on another branch (ledgers1); this stub only
-- holds what the handling ledger, the incident register and the container
-- register (65–67) refer to: an asset's id, number, name, label and origin
-- (自社 / 預託 with the entrusting company).  When both branches meet, the
-- real file replaces this one.

CREATE TABLE tmac.asset (
  asset_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  asset_no           text NOT NULL UNIQUE,
  name               text NOT NULL,
  label              tmac.label,
  origin             text NOT NULL DEFAULT '自社' CHECK (origin IN ('自社', '預託')),
  entrusting_company text,
  CHECK (origin = '自社' OR entrusting_company IS NOT NULL)
);
COMMENT ON TABLE tmac.asset IS '重要情報目録 (information inventory, ①): the important information assets (stub: see 62_inventory.sql)';
COMMENT ON COLUMN tmac.asset.asset_no IS '資産番号 (asset number)';
COMMENT ON COLUMN tmac.asset.name IS '情報資産名称 (name)';
COMMENT ON COLUMN tmac.asset.label IS '区分 (classification label)';
COMMENT ON COLUMN tmac.asset.origin IS '由来 (origin): 自社 (own) or 預託 (entrusted by another company)';
COMMENT ON COLUMN tmac.asset.entrusting_company IS '委託元 (entrusting company) of entrusted information';
SELECT tmac.add_audit_trigger('tmac.asset', 'asset_id', 'asset_no');
SELECT pg_catalog.pg_extension_config_dump('tmac.asset', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.asset_asset_id_seq', '');
