extension MigrationCatalog {
    /// Tenants, users, doctors and patients: created when absent, adopted when present.
    static let people = Migration(
        version: 1, name: "tenants_users_doctors_patients",
        up: [tenants, users, doctors, patients].map(\.upSQL).joined(separator: "\n"),
        down: [patients, doctors, users, tenants].map(\.downSQL).joined(separator: "\n"))

    /// Appointments with the indexes the jobs and reports use.
    static let appointments = Migration(
        version: 2, name: "appointments",
        up: appointmentsTable.upSQL + "\n" + """
        CREATE INDEX IF NOT EXISTS appointments_due_idx ON appointments (scheduled_at)
            WHERE status = 'scheduled' AND started_at IS NULL;
        CREATE INDEX IF NOT EXISTS appointments_in_progress_idx ON appointments (started_at)
            WHERE status = 'in_progress';
        CREATE INDEX IF NOT EXISTS appointments_doctor_scheduled_idx ON appointments (doctor_id, scheduled_at);
        CREATE INDEX IF NOT EXISTS appointments_patient_scheduled_idx ON appointments (patient_id, scheduled_at);
        CREATE INDEX IF NOT EXISTS appointments_tenant_scheduled_idx ON appointments (tenant_id, scheduled_at);
        """,
        down: """
        DROP INDEX IF EXISTS appointments_due_idx;
        DROP INDEX IF EXISTS appointments_in_progress_idx;
        DROP INDEX IF EXISTS appointments_doctor_scheduled_idx;
        DROP INDEX IF EXISTS appointments_patient_scheduled_idx;
        DROP INDEX IF EXISTS appointments_tenant_scheduled_idx;
        """ + "\n" + appointmentsTable.downSQL)

    static let tenants = AdoptableTable(
        name: "tenants",
        definition: "id bigserial PRIMARY KEY, slug text NOT NULL UNIQUE, name text NOT NULL",
        addedColumns: ["slug text UNIQUE", "name text"])

    static let users = AdoptableTable(
        name: "users",
        definition: """
        id bigserial PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants, name text NOT NULL,
        email text NOT NULL, role text NOT NULL CHECK (role IN ('doctor','patient','admin')),
        UNIQUE (tenant_id, email)
        """,
        addedColumns: [
            "tenant_id bigint REFERENCES tenants", "name text", "email text",
            "role text CHECK (role IN ('doctor','patient','admin'))",
        ])

    static let doctors = AdoptableTable(
        name: "doctors",
        definition: """
        id bigserial PRIMARY KEY, user_id bigint UNIQUE NOT NULL REFERENCES users,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','suspended')),
        license_number text, license_valid_until date
        """,
        addedColumns: [
            "user_id bigint UNIQUE REFERENCES users",
            "status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','suspended'))",
            "license_number text", "license_valid_until date",
        ])

    static let patients = AdoptableTable(
        name: "patients",
        definition: "id bigserial PRIMARY KEY, user_id bigint UNIQUE NOT NULL REFERENCES users",
        addedColumns: ["user_id bigint UNIQUE REFERENCES users"])

    static let appointmentsTable = AdoptableTable(
        name: "appointments",
        definition: """
        id bigserial PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants,
        doctor_id bigint NOT NULL REFERENCES doctors, patient_id bigint NOT NULL REFERENCES patients,
        scheduled_at timestamptz NOT NULL,
        duration_minutes int NOT NULL DEFAULT 30 CHECK (duration_minutes > 0),
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN
            ('scheduled','in_progress','completed','no_show','cancelled','rescheduled')),
        started_at timestamptz, ended_at timestamptz, metadata jsonb NOT NULL DEFAULT '{}',
        video_recording_url text,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()
        """,
        addedColumns: [
            "tenant_id bigint REFERENCES tenants", "doctor_id bigint REFERENCES doctors",
            "patient_id bigint REFERENCES patients", "scheduled_at timestamptz",
            "duration_minutes int NOT NULL DEFAULT 30 CHECK (duration_minutes > 0)",
            """
            status text NOT NULL DEFAULT 'scheduled' CHECK (status IN
                ('scheduled','in_progress','completed','no_show','cancelled','rescheduled'))
            """,
            "started_at timestamptz", "ended_at timestamptz", "metadata jsonb NOT NULL DEFAULT '{}'",
            "video_recording_url text", "created_at timestamptz NOT NULL DEFAULT now()",
            "updated_at timestamptz NOT NULL DEFAULT now()",
        ])
}
