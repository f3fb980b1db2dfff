// The schema at every depth: each document kind's envelope and spec, and each nested block.

extension CorpusCase {
    static let schemaCases: [CorpusCase] = {
        let o = Example.organization, p = Example.paris, f = Example.facials, off = Example.offers, pr = Example.products
        let s = Example.stripe, g = Example.calendar, pl = Example.planity, q = Example.quickbooks, b = "establishments/bordeaux-chartrons.yaml"
        let overrides = "  overrides:\n    - {service: manucure, price: \"32.00 EUR\"}\n  rooms:\n"
        return [
            // Envelope
            .patch("api-version-v2", .schema, "api-version", at: "\(o):2:13", .replace(o, "salonops.io/v1", "salonops.io/v2")),
            .patch("api-version-missing", .schema, "missing-field", at: "\(o):2:1", says: ["apiVersion"], .replace(o, "apiVersion: salonops.io/v1\n", "")),
            .patch("kind-misspelt", .schema, "unknown-kind", at: "\(f):3:7", says: ["did you mean 'Service'"], .replace(f, "kind: Service", "kind: Servise")),
            .patch("kind-lowercase", .schema, "unknown-kind", at: "\(o):3:7", says: ["Organization"], .replace(o, "kind: Organization", "kind: organization")),
            .patch(
                "kind-is-a-list", .schema, "wrong-type", at: "\(f):3:7", says: ["kind must be a text value", "e.g. kind: Service"], .replace(f, "kind: Service", "kind: [Service]")),
            .patch("kind-missing", .schema, "missing-field", at: "\(f):2:1", says: ["'kind'", "Establishment"], .replace(f, "kind: Service\n", "")),
            .patch("unknown-top-level-field", .schema, "unknown-field", at: "\(f):6:1", says: ["did you mean 'spec'"], .replace(f, "spec:\n", "specs:\n")),
            .patch(
                "metadata-missing", .schema, "missing-field", at: "\(o):2:1", says: ["'metadata'"],
                .replace(o, "metadata:\n  name: belle-epoque\n  labels:\n    owner: equipe-ops\n", "")),
            .patch(
                "metadata-is-a-scalar", .schema, "wrong-type", at: "\(o):4:11", says: ["mapping"],
                .replace(o, "metadata:\n  name: belle-epoque\n  labels:\n    owner: equipe-ops\n", "metadata: belle-epoque\n")),
            .patch(
                "metadata-name-empty", .schema, "invalid-value", at: "\(o):5:9", says: ["metadata.name must not be empty", "e.g. 'name: belle-epoque'"],
                .replace(o, "name: belle-epoque", "name: \"\"")),
            .patch(
                "metadata-name-null", .schema, "missing-field", at: "\(f):5:3", says: ["e.g. 'name: soin-visage-hydratant'"],
                .replace(f, "  name: soin-visage-hydratant\n", "  name:\n")),
            .patch("metadata-name-uppercase", .schema, "invalid-name", at: "\(o):5:9", says: ["belle-epoque"], .replace(o, "name: belle-epoque", "name: Belle-Epoque")),
            .patch(
                "metadata-name-accent", .schema, "invalid-name", at: "\(f):5:9", says: ["soin-visage-hydrat"],
                .replace(f, "name: soin-visage-hydratant", "name: soin-visage-hydratant-été")),
            .patch("metadata-name-too-long", .schema, "invalid-name", at: "\(f):5:9", .replace(f, "name: soin-visage-hydratant", "name: " + String(repeating: "a", count: 64))),
            .patch("metadata-unknown-field", .schema, "unknown-field", at: "\(o):6:3", says: ["did you mean 'labels'"], .replace(o, "  labels:\n", "  label:\n")),
            .patch("label-value-a-list", .schema, "wrong-type", at: "\(o):7:12", .replace(o, "owner: equipe-ops", "owner: [equipe-ops]")),
            .patch(
                "spec-is-a-list", .schema, "wrong-type", at: "catalogue/extra.yaml:5:3", says: ["spec must be a mapping", "no '- ' in front"],
                .write("catalogue/extra.yaml", "apiVersion: salonops.io/v1\nkind: Service\nmetadata: {name: extra}\nspec:\n  - displayName: Extra\n  - category: soins-visage\n")),
            .patch(
                "spec-is-a-scalar", .schema, "wrong-type", at: "catalogue/extra.yaml:4:7", says: ["indented below it"],
                .write("catalogue/extra.yaml", "apiVersion: salonops.io/v1\nkind: Product\nmetadata: {name: extra}\nspec: Extra\n")),
            .patch(
                "spec-missing", .schema, "missing-field", at: "catalogue/extra.yaml:1:1", says: ["'spec'"],
                .write("catalogue/extra.yaml", "apiVersion: salonops.io/v1\nkind: Product\nmetadata: {name: extra}\n")),
            // Organization
            .patch("org-display-name-missing", .schema, "missing-field", at: "\(o):9:3", says: ["'displayName'"], .replace(o, "  displayName: Belle Époque Instituts\n", "")),
            .patch(
                "org-display-name-empty", .schema, "invalid-value", at: "\(o):9:16", says: ["displayName must not be empty"],
                .replace(o, "displayName: Belle Époque Instituts", "displayName: \" \"")),
            .patch("org-unknown-currency", .schema, "invalid-money", at: "\(o):11:15", says: ["EUX", "ISO 4217"], .replace(o, "currency: EUR", "currency: EUX")),
            .patch("org-bad-locale", .schema, "invalid-value", at: "\(o):13:13", says: ["BCP 47"], .replace(o, "locale: fr-FR", "locale: francais")),
            .patch("org-defaults-unknown-field", .schema, "unknown-field", at: "\(o):12:5", says: ["did you mean 'timezone'"], .replace(o, "    timezone:", "    timezon:")),
            .patch(
                "org-defaults-a-list", .schema, "wrong-type", at: "\(o):11:5", says: ["drop the '- '"],
                .replace(o, "    currency: EUR\n    timezone: Europe/Paris\n    locale: fr-FR\n", "    - currency: EUR\n    - timezone: Europe/Paris\n")),
            .patch(
                "safety-percent-over-100", .schema, "invalid-value", at: "\(o):17:23", says: ["between 0 and 100", "from 0 to 100", "maxUpdatePercent: 30"],
                .replace(o, "maxUpdatePercent: 30", "maxUpdatePercent: 130")),
            .patch(
                "safety-percent-negative", .schema, "invalid-value", at: "\(o):18:23", says: ["maxDeletePercent: 10"], .replace(o, "maxDeletePercent: 10", "maxDeletePercent: -5")),
            .patch("safety-percent-in-words", .schema, "wrong-type", at: "\(o):18:23", says: ["in digits"], .replace(o, "maxDeletePercent: 10", "maxDeletePercent: dix")),
            .patch("safety-percent-quoted", .schema, "wrong-type", at: "\(o):17:23", says: ["without quotes"], .replace(o, "maxUpdatePercent: 30", "maxUpdatePercent: \"30%\"")),
            .patch(
                "safety-unknown-field", .schema, "unknown-field", at: "\(o):19:5", says: ["minManagedResources"], .replace(o, "    minManagedResources: 10", "    minManaged: 10")),
            .patch(
                "org-drift-invalid", .schema, "invalid-value", at: "\(o):21:10", says: ["observe, warn, correct", "e.g. drift: warn"], .replace(o, "drift: warn", "drift: always")),
            .patch("org-spec-unknown-field", .schema, "unknown-field", at: "\(o):10:3", says: ["did you mean 'defaults'"], .replace(o, "  defaults:\n", "  default:\n")),
            // Establishment
            .patch(
                "address-missing", .schema, "missing-field", at: "\(p):9:3", says: ["'address'"],
                .replace(p, "  address:\n    street: 42 rue Oberkampf\n    postalCode: \"75011\"\n    city: Paris\n    country: FR\n", "")),
            .patch(
                "address-a-scalar", .schema, "wrong-type", at: "\(p):11:12",
                .replace(p, "  address:\n    street: 42 rue Oberkampf\n    postalCode: \"75011\"\n    city: Paris\n    country: FR\n", "  address: 42 rue Oberkampf, 75011 Paris\n")
            ),
            .patch("address-country-lowercase", .schema, "invalid-value", at: "\(p):15:14", says: ["ISO 3166-1"], .replace(p, "country: FR", "country: fr")),
            .patch("address-country-norway-bool", .schema, "invalid-value", at: "\(p):15:14", .replace(p, "country: FR", "country: France")),
            .patch("address-city-missing", .schema, "missing-field", at: "\(p):12:5", says: ["'city'"], .replace(p, "    city: Paris\n", "")),
            .patch("address-unknown-field", .schema, "unknown-field", at: "\(p):13:5", says: ["did you mean 'postalCode'"], .replace(p, "postalCode:", "postcode:")),
            .patch("phone-not-e164", .schema, "invalid-value", at: "\(p):16:10", says: ["E.164"], .replace(p, "\"+33199001142\"", "\"01 99 00 11 42\"")),
            .patch("phone-unquoted-number", .schema, "invalid-value", at: "\(p):16:10", .replace(p, "\"+33199001142\"", "0199001142")),
            .patch(
                "email-invalid", .schema, "invalid-value", at: "\(p):17:10", says: ["not an email address"],
                .replace(p, "email: paris11@belle-epoque.example", "email: paris11-at-belle-epoque")),
            .patch(
                "website-http", .schema, "invalid-value", at: "\(p):18:12", says: ["https"],
                .replace(p, "https://www.belle-epoque.example/instituts/paris-11", "http://www.belle-epoque.example/instituts/paris-11")),
            .patch(
                "establishment-unknown-field", .schema, "unknown-field", at: "\(p):19:3", says: ["did you mean 'hours'"],
                .replace(p, "  # Closed on Sunday and Monday (days not listed).\n", "  horus: {}\n")),
            .patch(
                "catalogue-unknown-field", .schema, "unknown-field", at: "\(p):32:5", says: ["did you mean 'services'"], .replace(p, "    services: all\n", "    service: all\n")),
            .patch("catalogue-selection-a-word", .schema, "wrong-type", at: "\(p):32:15", says: ["'all' or a list"], .replace(p, "    services: all\n", "    services: tout\n")),
            .patch(
                "catalogue-a-list", .schema, "wrong-type", at: "\(p):32:5",
                .replace(p, "    services: all\n    products: all\n    offers: all\n", "    - services\n    - products\n")),
            .patch(
                "rooms-a-mapping", .schema, "wrong-type", at: "\(Example.lyon):53:5", says: ["list"],
                .replace(
                    Example.lyon,
                    "  rooms:\n    - {name: cabine-1, displayName: Cabine Fourvière}\n    - {name: cabine-2, displayName: Cabine Saône}\n    - name: espace-ongles\n      displayName: Espace ongles\n      capacity: 2\n      services: [manucure, pose-semi-permanent, depose-semi-permanent]\n",
                    "  rooms:\n    cabine-1: Cabine Fourvière\n")),
            .patch(
                "room-a-scalar", .schema, "wrong-type", at: "\(p):36:7", says: ["mapping"], .replace(p, "    - {name: cabine-1, displayName: Cabine Lumière}\n", "    - cabine-1\n")
            ),
            .patch(
                "room-capacity-in-words", .schema, "wrong-type", at: "\(p):40:17", says: ["in digits", "capacity: 2"], .replace(p, "      capacity: 2\n", "      capacity: deux\n")),
            .patch("room-capacity-zero", .schema, "invalid-value", at: "\(p):40:17", says: ["between 1 and 1000"], .replace(p, "      capacity: 2\n", "      capacity: 0\n")),
            .patch("room-capacity-decimal", .schema, "wrong-type", at: "\(p):44:17", .replace(p, "      capacity: 3\n", "      capacity: 2.5\n")),
            .patch("room-name-invalid", .schema, "invalid-name", at: "\(p):36:14", .replace(p, "{name: cabine-1,", "{name: Cabine_1,")),
            .patch(
                "room-name-missing", .schema, "missing-field", at: "\(p):36:7", says: ["'name'"],
                .replace(p, "{name: cabine-1, displayName: Cabine Lumière}", "{displayName: Cabine Lumière}")),
            .patch("room-unknown-field", .schema, "unknown-field", at: "\(p):40:7", says: ["did you mean 'capacity'"], .replace(p, "      capacity: 2\n", "      capacite: 2\n")),
            .patch(
                "room-services-a-scalar", .schema, "wrong-type", at: "\(p):45:17", says: ["list"],
                .replace(p, "      services: [manucure, pose-semi-permanent, depose-semi-permanent, beaute-des-pieds]\n  staff:", "      services: manucure\n  staff:")),
            .patch(
                "staff-services-missing", .schema, "missing-field", at: "\(p):57:7", says: ["'services'"],
                .replace(
                    p, "      role: prothésiste ongulaire\n      services: [manucure, pose-semi-permanent, depose-semi-permanent, beaute-des-pieds]\n",
                    "      role: prothésiste ongulaire\n")),
            .patch("staff-name-accent", .schema, "invalid-name", at: "\(p):57:13", says: ["e.g. 'lea'"], .replace(p, "    - name: lea\n", "    - name: léa\n")),
            .patch("staff-display-name-missing", .schema, "missing-field", at: "\(p):47:7", says: ["'displayName'"], .replace(p, "      displayName: Camille Martin\n", "")),
            .patch("staff-email-invalid", .schema, "invalid-value", at: "\(p):50:14", .replace(p, "camille.martin@belle-epoque.example", "camille.martin@")),
            .patch(
                "staff-unknown-field", .schema, "unknown-field", at: "\(p):49:7", says: ["did you mean 'role'"],
                .replace(p, "      role: responsable d'institut\n", "      rôle: responsable d'institut\n")),
            .patch(
                "staff-a-mapping", .schema, "wrong-type", at: "\(p):46:10", says: ["list"],
                .replace(p, "  staff:\n    - name: camille\n", "  staff: {camille: {}}\n  team:\n    - name: camille\n")),
            .patch(
                "override-service-and-product", .schema, "invalid-value", at: "\(b):38:7", says: ["both a service and a product"],
                .replace(b, "{service: soin-visage-hydratant, price: \"59.00 EUR\"}", "{service: soin-visage-hydratant, product: serum-eclat-30ml, price: \"59.00 EUR\"}")),
            .patch(
                "override-nothing", .schema, "missing-field", at: "\(b):38:7", says: ["overrides nothing"],
                .replace(b, "{service: soin-visage-hydratant, price: \"59.00 EUR\"}", "{service: soin-visage-hydratant}")),
            .patch(
                "override-product-duration", .schema, "invalid-value", at: "\(b):43:72", says: ["no duration"],
                .replace(b, "{product: huile-seche-corps-100ml, price: \"27.50 EUR\"}", "{product: huile-seche-corps-100ml, price: \"27.50 EUR\", duration: 1h}")),
            .patch(
                "override-no-target", .schema, "missing-field", at: "\(b):38:7", says: ["'service:' or 'product:'"],
                .replace(b, "{service: soin-visage-hydratant, price: \"59.00 EUR\"}", "{price: \"59.00 EUR\"}")),
            .patch(
                "override-unknown-field", .schema, "unknown-field", at: "\(p):36:27", says: ["did you mean 'price'"],
                .replace(p, "  rooms:\n", overrides.replacingOccurrences(of: "price:", with: "prix:"))),
            // Service and Product
            .patch("service-vat-missing", .schema, "missing-field", at: "\(f):7:3", says: ["'vatRate'", "\"20%\""], .replace(f, "  vatRate: \"20%\"\n", "")),
            .patch("service-unknown-field", .schema, "unknown-field", at: "\(f):11:3", says: ["did you mean 'price'"], .replace(f, "  price:", "  prise:")),
            .patch(
                "service-bookable-oui", .schema, "wrong-type", at: "\(f):14:19", says: ["true or false"],
                .replace(f, "  bufferAfter: 15m\n---", "  bufferAfter: 15m\n  bookableOnline: oui\n---")),
            .patch(
                "service-bookable-quoted", .schema, "wrong-type", at: "\(f):14:19", .replace(f, "  bufferAfter: 15m\n---", "  bufferAfter: 15m\n  bookableOnline: \"true\"\n---")),
            .patch("service-category-empty", .schema, "invalid-value", at: "\(f):8:13", .replace(f, "category: soins-visage\n", "category: \"\"\n")),
            .patch(
                "service-display-name-a-map", .schema, "wrong-type", at: "\(f):7:16",
                .replace(f, "displayName: Soin visage hydratant\n", "displayName: {fr: Soin visage hydratant}\n")),
            .patch("product-sku-missing", .schema, "missing-field", at: "\(pr):7:3", says: ["'sku'"], .replace(pr, "  sku: BE-VIS-CRH-050\n", "")),
            .patch("product-unknown-field", .schema, "unknown-field", at: "\(pr):12:3", says: ["brand"], .replace(pr, "  brand: Belle Époque\n", "  marque: Belle Époque\n")),
            // Offer
            .patch("offer-type-invalid", .schema, "invalid-value", at: "\(off):24:9", says: ["voucher"], .replace(off, "type: voucher", "type: gift")),
            .patch(
                "offer-package-without-includes", .schema, "missing-field", at: "\(off):8:3", says: ["includes"],
                .replace(off, "  includes:\n    - service: soin-visage-hydratant\n      quantity: 5\n", "")),
            .patch("offer-includes-quantity-zero", .schema, "invalid-value", at: "\(off):14:17", .replace(off, "      quantity: 5\n", "      quantity: 0\n")),
            .patch("offer-code-lowercase", .schema, "invalid-value", at: "\(off):39:9", says: ["NOEL2026"], .replace(off, "code: BIENVENUE20", "code: bienvenue20")),
            .patch("offer-discount-zero", .schema, "invalid-percent", at: "\(off):36:13", .replace(off, "discount: \"20%\"", "discount: \"0%\"")),
            .patch(
                "offer-valid-until-before-from", .schema, "closure-inverted", at: "\(off):41:15", says: ["swap"], .replace(off, "validUntil: 2027-06-30", "validUntil: 2026-06-30")),
            .patch("offer-recurring-invalid", .schema, "invalid-value", at: "\(off):57:14", says: ["monthly"], .replace(off, "recurring: monthly", "recurring: mensuel")),
            .patch(
                "offer-restriction-day-french", .schema, "invalid-value", at: "\(off):45:12", says: ["tuesday"],
                .replace(off, "days: [tuesday, wednesday", "days: [mardi, wednesday")),
            .patch(
                "offer-restrictions-unknown-field", .schema, "unknown-field", at: "\(off):46:5", says: ["newClientsOnly"],
                .replace(off, "    newClientsOnly: true\n", "    newClients: true\n")),
            .patch(
                "offer-applies-to-empty", .schema, "missing-field", at: "\(off):38:5", says: ["names no service or product"],
                .replace(off, "    services: [massage-californien, massage-pierres-chaudes, massage-dos]\n", "    services: []\n")),
            .patch("offer-validity-invalid", .schema, "invalid-value", at: "\(off):26:13", .replace(off, "validity: 1y", "validity: 1 an")),
            .patch("offer-quantity-in-words", .schema, "wrong-type", at: "\(off):42:13", says: ["in digits"], .replace(off, "quantity: 500", "quantity: cinq-cents")),
            // Integration
            .patch("provider-misspelt", .schema, "unknown-provider", at: "\(s):9:13", says: ["did you mean 'stripe'"], .replace(s, "provider: stripe", "provider: strip")),
            .patch("provider-missing", .schema, "missing-field", at: "\(s):9:3", says: ["'provider'"], .replace(s, "  provider: stripe\n", "")),
            .patch("enabled-missing", .schema, "missing-field", at: "\(s):9:3", says: ["enabled: true"], .replace(s, "  enabled: true\n", "")),
            .patch("enabled-oui", .schema, "wrong-type", at: "\(s):10:12", says: ["true or false"], .replace(s, "enabled: true", "enabled: oui")),
            .patch("establishments-a-name", .schema, "wrong-type", at: "\(s):11:19", says: ["'all' or a list"], .replace(s, "establishments: all", "establishments: paris-11")),
            .patch("credential-unknown-name", .schema, "unknown-field", at: "\(s):13:5", says: ["did you mean 'secretKey'"], .replace(s, "    secretKey:\n", "    secretkey:\n")),
            .patch(
                "credential-reference-without-key-path", .schema, "invalid-value", at: "\(s):14:15",
                .replace(s, "secrets/stripe.sops.yaml#stripe.secret_key", "secrets/stripe.sops.yaml")),
            .patch("credential-unknown-field", .schema, "unknown-field", at: "\(s):15:7", says: ["rotateAfter"], .replace(s, "      rotateAfter: 90d\n", "      rotate: 90d\n")),
            .patch("credential-rotate-after-invalid", .schema, "invalid-value", at: "\(s):15:20", .replace(s, "rotateAfter: 90d", "rotateAfter: 3 mois")),
            .patch(
                "credential-missing", .schema, "missing-credential", at: "\(s):13:5", says: ["secretKey"],
                .replace(
                    s, "    secretKey:\n      secret: secrets/stripe.sops.yaml#stripe.secret_key\n      rotateAfter: 90d\n",
                    "    other: {secret: \"secrets/stripe.sops.yaml#stripe.secret_key\"}\n")),
            .patch(
                "settings-unknown-field", .schema, "unknown-field", at: "\(s):29:5", says: ["statementDescriptor"],
                .replace(s, "    statementDescriptor:", "    statementDescription:")),
            .patch(
                "settings-webhook-http", .schema, "invalid-value", at: "\(s):18:12", says: ["https"],
                .replace(s, "url: https://app.belle-epoque.example", "url: http://app.belle-epoque.example")),
            .patch("settings-publish-yes", .schema, "wrong-type", at: "\(s):26:17", says: ["true or false"], .replace(s, "      services: true\n", "      services: yes\n")),
            .patch(
                "settings-events-a-scalar", .schema, "wrong-type", at: "\(s):19:15", says: ["list"],
                .replace(
                    s,
                    "      events:\n        - checkout.session.completed\n        - payment_intent.payment_failed\n        - charge.refunded\n        - customer.subscription.updated\n        - customer.subscription.deleted\n",
                    "      events: checkout.session.completed\n")),
            .patch(
                "settings-a-list", .schema, "wrong-type", at: "\(pl):18:5", says: ["drop the '- '"],
                .replace(
                    pl,
                    "    venueIds:\n      paris-11: \"pl-75011-4821\"\n      lyon-2: \"pl-69002-1377\"\n      bordeaux-chartrons: \"pl-33000-0912\"\n    syncBookings: true\n"
                        + "    # Bookings made on Planity go to the salon's app (the signing secret is kept encrypted).\n    webhook:\n"
                        + "      url: https://app.belle-epoque.example/hooks/planity\n      events: [booking.created, booking.updated, booking.cancelled]\n",
                    "    - venueIds: {paris-11: \"pl-75011-4821\"}\n    - syncBookings: true\n")),
            .patch(
                "calendar-delegated-user-missing", .schema, "missing-field", at: "\(g):19:5", says: ["delegatedUser"],
                .replace(g, "    delegatedUser: agendas@belle-epoque.example\n", "")),
            .patch(
                "calendar-delegated-user-not-email", .schema, "invalid-value", at: "\(g):19:20", says: ["email"],
                .replace(g, "delegatedUser: agendas@belle-epoque.example", "delegatedUser: agendas")),
            .patch(
                "quickbooks-environment-invalid", .schema, "invalid-value", at: "\(q):22:18", says: ["sandbox, production"],
                .replace(q, "environment: production", "environment: prod")),
            .patch("quickbooks-realm-missing", .schema, "missing-field", at: "\(q):21:5", says: ["realmId"], .replace(q, "    realmId: \"9341452716538120\"\n", "")),
            .patch("integration-drift-invalid", .schema, "invalid-value", at: "\(s):30:10", says: ["observe", "e.g. drift: warn"], .replace(s, "drift: correct", "drift: fix")),
            .patch("integration-prune-string", .schema, "wrong-type", at: "\(pl):28:10", says: ["true or false"], .replace(pl, "prune: true", "prune: \"yes\"")),
            .patch(
                "integration-ignore-not-a-path", .schema, "invalid-value", at: "\(s):34:12", says: ["product.description"],
                .replace(s, "ignore: [product.images]", "ignore: [.images]")),
            .patch(
                "integration-safety-over-100", .schema, "invalid-value", at: "\(s):36:23", says: ["maxUpdatePercent: 30"],
                .replace(s, "  ignore: [product.images]\n", "  ignore: [product.images]\n  safety:\n    maxUpdatePercent: 101\n")),
            .patch("integration-unknown-field", .schema, "unknown-field", at: "\(s):32:3", says: ["did you mean 'adopt'"], .replace(s, "  adopt: true\n", "  adapt: true\n")),
        ]
    }()
}
