// References between documents, and the value types: hours, closures, durations, money, VAT, time zones.

extension CorpusCase {
    static let referenceCases: [CorpusCase] = {
        let o = Example.organization, p = Example.paris, l = Example.lyon, f = Example.facials, off = Example.offers
        let s = Example.stripe, pl = Example.planity, b = "establishments/bordeaux-chartrons.yaml"
        return [
            .patch(
                "catalogue-service-dangling", .references, "dangling-reference", at: "\(l):34:9", says: ["soin-visage-hydratan"],
                .replace(l, "      - soin-visage-hydratant\n", "      - soin-visage-hydratan\n")),
            .patch(
                "catalogue-product-dangling", .references, "dangling-reference", at: "\(l):50:16",
                .replace(l, "products: [creme-hydratante-50ml,", "products: [creme-hydratante-30ml,")),
            .patch(
                "catalogue-offer-dangling", .references, "dangling-reference", at: "\(l):51:14",
                .replace(l, "offers: [forfait-5-soins-visage,", "offers: [forfait-10-soins-visage,")),
            .patch(
                "override-service-dangling", .references, "dangling-reference", at: "\(b):38:17",
                .replace(b, "{service: soin-visage-hydratant, price: \"59.00 EUR\"}", "{service: soin-visage, price: \"59.00 EUR\"}")),
            .patch(
                "override-product-dangling", .references, "dangling-reference", at: "\(b):43:17", .replace(b, "{product: huile-seche-corps-100ml,", "{product: huile-seche-100ml,")),
            .patch(
                "room-service-dangling", .references, "dangling-reference", at: "\(p):45:18",
                .replace(
                    p, "services: [manucure, pose-semi-permanent, depose-semi-permanent, beaute-des-pieds]\n  staff:",
                    "services: [manicure, pose-semi-permanent, depose-semi-permanent, beaute-des-pieds]\n  staff:")),
            .patch(
                "staff-service-dangling", .references, "dangling-reference", at: "\(p):51:18", says: ["did you mean 'soin-visage-hydratant'"],
                .replace(
                    p, "      services: [soin-visage-hydratant, soin-visage-anti-age, soin-eclat-express, soin-purifiant, rituel-belle-epoque]\n",
                    "      services: [soin-visage-hydratnt, soin-visage-anti-age, soin-eclat-express, soin-purifiant, rituel-belle-epoque]\n")),
            .patch(
                "offer-includes-dangling", .references, "dangling-reference", at: "\(off):13:16",
                .replace(off, "    - service: soin-visage-hydratant\n      quantity: 5\n", "    - service: soin-hydratant\n      quantity: 5\n")),
            .patch(
                "offer-applies-to-product-dangling", .references, "dangling-reference", at: "\(off):75:16",
                .replace(off, "products: [serum-eclat-30ml]", "products: [serum-eclat-50ml]")),
            .patch(
                "offer-restriction-establishment-dangling", .references, "dangling-reference", at: "\(off):44:32",
                .replace(off, "establishments: [paris-11, bordeaux-chartrons]", "establishments: [paris-11, bordeaux]")),
            .patch(
                "integration-establishment-dangling", .references, "dangling-reference", at: "\(s):11:30",
                .replace(s, "establishments: all", "establishments: [paris-11, paris-12]")),
            .patch(
                "settings-establishment-map-dangling", .references, "dangling-reference", at: "\(pl):20:7",
                .replace(pl, "      lyon-2: \"pl-69002-1377\"\n", "      lyon-3: \"pl-69002-1377\"\n")),
            .patch("credential-file-dangling", .references, "credential-file-missing", at: "\(s):14:15", .replace(s, "secrets/stripe.sops.yaml#", "secrets/strip.sops.yaml#")),
            .patch("credential-key-dangling", .references, "credential-key-missing", at: "\(s):14:15", .replace(s, "#stripe.secret_key", "#stripe.secret_kee")),
            .patch("credential-names-a-mapping", .references, "credential-key-missing", at: "\(s):14:15", says: ["holds a map"], .replace(s, "#stripe.secret_key", "#stripe")),
            .patch("credential-file-not-encrypted", .references, "credential-not-encrypted", at: "\(s):14:15", .replace(s, "secrets/stripe.sops.yaml#", "catalogue/offers.yaml#")),
            .patch(
                "service-name-duplicated", .references, "duplicate-name", at: "\(f):18:9", says: ["soin-visage-hydratant"],
                .replace(f, "name: soin-visage-anti-age", "name: soin-visage-hydratant")),
            .patch("staff-name-duplicated", .references, "duplicate-name", at: "\(p):52:13", says: ["camille"], .replace(p, "    - name: ines\n", "    - name: camille\n")),
            .patch("room-name-duplicated", .references, "duplicate-name", at: "\(p):37:14", says: ["cabine-1"], .replace(p, "{name: cabine-2,", "{name: cabine-1,")),
            .patch(
                "establishment-name-duplicated", .references, "duplicate-name", at: "\(p):5:9", says: ["paris-11", "lyon-2.yaml:6:9"],
                .replace(l, "name: lyon-2\n", "name: paris-11\n")),
            .patch(
                "second-organization", .references, "organization-count", at: "\(o):5:9",
                .write("org-bis.yaml", "apiVersion: salonops.io/v1\nkind: Organization\nmetadata: {name: bis}\nspec: {displayName: Bis}\n")),
            .patch("no-organization", .references, "organization-count", at: "catalogue/services/epilations.yaml:5:9", says: ["no Organization"], .delete(o)),
            .files(
                "only-a-service", .references, "organization-count", at: "service.yaml:3:18", says: ["kind: Organization"],
                [
                    "service.yaml":
                        "apiVersion: salonops.io/v1\nkind: Service\nmetadata: {name: seul}\nspec: {displayName: Seul, category: c, duration: 1h, price: \"1.00 EUR\", vatRate: \"20%\"}\n"
                ]),
            .files(
                "standalone-dangling-staff-service", .references, "dangling-reference", at: "paris.yaml:8:48", says: ["massage"],
                [
                    "org.yaml": organization,
                    "paris.yaml":
                        "apiVersion: salonops.io/v1\nkind: Establishment\nmetadata: {name: paris}\nspec:\n  displayName: Paris\n  address: {street: 1 rue A, city: Paris, country: FR}\n  hours: {tuesday: [\"10:00-19:00\"]}\n  staff: [{name: a, displayName: A, services: [massage]}]\n",
                ]),
            .files(
                "standalone-integration-unknown-establishment", .references, "dangling-reference", at: "stripe.yaml:4:59", says: ["lyon"],
                [
                    "org.yaml": organization,
                    "stripe.yaml": "apiVersion: salonops.io/v1\nkind: Integration\nmetadata: {name: stripe}\nspec: {provider: stripe, enabled: false, establishments: [lyon]}\n",
                ]),
        ]
    }()

    static let hoursCases: [CorpusCase] = {
        let p = Example.paris
        func day(_ name: String, _ value: String, _ code: String, at column: Int = 15, says: [String] = []) -> CorpusCase {
            .patch(name, .hours, code, at: "\(p):21:\(column)", says: says, .replace(p, "tuesday: [\"10:00-19:00\"]", "tuesday: \(value)"))
        }
        return [
            day("hours-inverted", "[\"19:00-10:00\"]", "hours-inverted"),
            day("hours-empty-period", "[\"10:00-10:00\"]", "hours-inverted"),
            day("hours-overlap", "[\"10:00-14:00\", \"13:00-19:00\"]", "hours-overlap", at: 30, says: ["overlaps"]),
            day("hours-duplicate-period", "[\"10:00-19:00\", \"10:00-19:00\"]", "hours-overlap", at: 30),
            day("hours-start-at-24", "[\"24:00-24:30\"]", "invalid-value"),
            day("hours-hour-25", "[\"10:00-25:00\"]", "invalid-value"),
            day("hours-minute-60", "[\"10:60-19:00\"]", "invalid-value"),
            day("hours-french-notation", "[\"10h-19h\"]", "invalid-value"),
            day("hours-en-dash", "[\"10:00–19:00\"]", "invalid-value"),
            day("hours-three-times", "[\"10:00-19:00-20:00\"]", "invalid-value"),
            day("hours-number", "[1000]", "invalid-value"),
            day("hours-empty-string", "[\"\"]", "invalid-value"),
            day("hours-a-mapping", "{open: \"10:00\", close: \"19:00\"}", "wrong-type", at: 14),
            day("hours-closed-in-french", "ferme", "wrong-type", at: 14, says: ["list"]),
            .patch("hours-unknown-weekday", .hours, "unknown-field", at: "\(p):21:5", says: ["did you mean 'tuesday'"], .replace(p, "    tuesday:", "    tuesdy:")),
            .patch("hours-weekday-in-french", .hours, "unknown-field", at: "\(p):21:5", says: ["monday"], .replace(p, "    tuesday:", "    mardi:")),
            .patch(
                "hours-a-list", .hours, "wrong-type", at: "\(p):21:5",
                .replace(
                    p,
                    "    tuesday: [\"10:00-19:00\"]\n    wednesday: [\"10:00-19:00\"]\n    thursday: [\"10:00-21:00\"]   # nocturne\n    friday: [\"10:00-19:00\"]\n    saturday: [\"09:30-18:30\"]\n",
                    "    - tuesday: [\"10:00-19:00\"]\n    - wednesday: [\"10:00-19:00\"]\n")),
        ]
    }()

    static let closureCases: [CorpusCase] = {
        let p = Example.paris
        func closure(_ name: String, _ value: String, _ code: String, at column: Int, says: [String] = []) -> CorpusCase {
            .patch(name, .closures, code, at: "\(p):27:\(column)", says: says, .replace(p, "{date: 2026-12-25, reason: Noël}", value))
        }
        return [
            closure("closure-range-inverted", "{from: 2026-12-31, to: 2026-12-24}", "closure-inverted", at: 30, says: ["swap"]),
            closure("closure-february-30", "{date: 2026-02-30}", "invalid-date", at: 14),
            closure("closure-french-date", "{date: 25/12/2026}", "invalid-date", at: 14),
            closure("closure-month-13", "{from: 2026-13-01, to: 2026-13-02}", "invalid-date", at: 14),
            closure("closure-date-and-range", "{date: 2026-12-25, from: 2026-12-24, to: 2026-12-26}", "invalid-value", at: 7),
            closure("closure-no-date", "{reason: Noël}", "missing-field", at: 7),
            closure("closure-from-without-to", "{from: 2026-12-24}", "missing-field", at: 7, says: ["'to'"]),
            closure("closure-unknown-field", "{date: 2026-12-25, raison: Noël}", "unknown-field", at: 26, says: ["did you mean 'reason'"]),
            closure("closure-a-scalar", "2026-12-25", "wrong-type", at: 7),
            .patch(
                "closures-a-mapping", .closures, "wrong-type", at: "\(p):27:5",
                .replace(
                    p,
                    "    - {date: 2026-12-25, reason: Noël}\n    - {date: 2027-01-01, reason: Jour de l'an}\n    - {date: 2027-05-01, reason: Fête du travail}\n    - {from: 2027-08-09, to: 2027-08-22, reason: Congés d'été}\n",
                    "    noel: {date: 2026-12-25}\n")),
        ]
    }()

    static let durationCases: [CorpusCase] = {
        let f = Example.facials, b = "establishments/bordeaux-chartrons.yaml"
        func duration(_ name: String, _ value: String, says: [String] = []) -> CorpusCase {
            .patch(name, .durations, "invalid-duration", at: "\(f):10:13", says: says, .replace(f, "duration: 1h\n", "duration: \(value)\n"))
        }
        return [
            duration("duration-75-minutes-after-hour", "1h75"), duration("duration-zero", "0m"), duration("duration-over-a-day", "25h"),
            duration("duration-no-unit", "90"), duration("duration-decimal-hours", "1.5h"), duration("duration-negative", "-30m"),
            duration("duration-in-words", "une heure"), duration("duration-iso-8601", "PT1H"),
            .patch("buffer-after-in-words", .durations, "invalid-duration", at: "\(f):13:16", .replace(f, "bufferAfter: 15m\n", "bufferAfter: 15 minutes\n")),
            .patch("override-duration-invalid", .durations, "invalid-duration", at: "\(b):42:17", .replace(b, "duration: 1h30", "duration: 1h61")),
            .patch("duration-missing", .durations, "missing-field", at: "\(f):7:3", says: ["45m"], .replace(f, "  duration: 1h\n", "")),
        ]
    }()

    static let moneyCases: [CorpusCase] = {
        let f = Example.facials, off = Example.offers, b = "establishments/bordeaux-chartrons.yaml"
        func price(_ name: String, _ value: String, _ code: String = "invalid-money", says: [String] = []) -> CorpusCase {
            .patch(name, .money, code, at: "\(f):11:10", says: says, .replace(f, "price: \"65.00 EUR\"", "price: \(value)"))
        }
        return [
            price("money-three-decimals", "\"65.005 EUR\""), price("money-negative", "\"-65.00 EUR\""), price("money-no-currency", "\"65.00\""),
            price("money-unknown-currency", "\"65.00 EUX\""), price("money-comma-decimal", "\"65,00 EUR\""), price("money-unquoted-number", "65"),
            price("money-euro-sign", "\"65.00 €\""), price("money-lowercase-currency", "\"65.00 eur\""), price("money-no-space", "\"65.00EUR\""),
            price("money-currency-first", "\"EUR 65.00\""), price("money-jpy-decimals", "\"6500.5 JPY\""), price("money-a-list", "[65, EUR]", "wrong-type"),
            .patch("money-override-invalid", .money, "invalid-money", at: "\(b):38:47", .replace(b, "price: \"59.00 EUR\"", "price: \"59.000 EUR\"")),
            .patch("money-min-spend-invalid", .money, "invalid-money", at: "\(off):80:15", .replace(off, "minSpend: \"80.00 EUR\"", "minSpend: \"80 euros\"")),
            .patch("money-voucher-price-missing", .money, "missing-field", at: "\(off):22:3", says: ["price"], .replace(off, "  price: \"100.00 EUR\"\n", "")),
        ]
    }()

    static let vatCases: [CorpusCase] = {
        let f = Example.facials, pr = Example.products
        func vat(_ name: String, _ value: String, _ code: String = "invalid-percent") -> CorpusCase {
            .patch(name, .vat, code, at: "\(f):12:12", .replace(f, "vatRate: \"20%\"", "vatRate: \(value)"))
        }
        return [
            vat("vat-over-100", "\"120%\""), vat("vat-negative", "\"-5%\""), vat("vat-without-percent", "\"20\""), vat("vat-in-words", "\"vingt%\""),
            vat("vat-per-mille", "\"200‰\""), vat("vat-fraction", "0.2"), vat("vat-comma", "\"5,5%\""), vat("vat-a-list", "[20%]", "wrong-type"),
            .patch("vat-product-invalid", .vat, "invalid-percent", at: "\(pr):10:12", .replace(pr, "vatRate: \"20%\"", "vatRate: \"20.555%\"")),
        ]
    }()

    static let timezoneCases: [CorpusCase] = {
        let p = Example.paris, o = Example.organization
        func zone(_ name: String, _ value: String) -> CorpusCase {
            .patch(name, .timezones, "invalid-timezone", at: "\(p):10:13", .replace(p, "timezone: Europe/Paris", "timezone: \(value)"))
        }
        return [
            zone("timezone-misspelt", "Europe/Pariss"), zone("timezone-lowercase", "europe/paris"), zone("timezone-offset", "UTC+1"),
            zone("timezone-city-only", "Paris"), zone("timezone-abbreviation", "CEST"), zone("timezone-empty-string", "\"\""),
            .patch("timezone-org-default-invalid", .timezones, "invalid-timezone", at: "\(o):12:15", .replace(o, "timezone: Europe/Paris", "timezone: Europe/Lyon")),
        ]
    }()
}
