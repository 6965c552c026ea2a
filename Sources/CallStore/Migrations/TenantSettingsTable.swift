extension MigrationCatalog {
    /// A tenant's own value of a setting that may differ per tenant (``CallDomain/SettingKey/isPerTenant``:
    /// `recording.retention`), winning over the `settings` row for that tenant's appointments.
    /// No foreign key to `tenants`: that table is the app's; `config set --tenant` checks the tenant exists.
    static let tenantSettings = Migration(
        version: 17, name: "tenant_settings",
        up: """
        CREATE TABLE tenant_settings (
            tenant_id bigint NOT NULL,
            key text NOT NULL,
            value jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, key)
        );
        """,
        down: "DROP TABLE tenant_settings;")
}
