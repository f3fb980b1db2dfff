// YAML syntax and text encodings. Locations are what libyaml marks (the problem, not its context).

/// Files of examples/salon-chain the tables patch, relative to the config root.
enum Example {
    static let organization = "organization.yaml"
    static let paris = "establishments/paris-11.yaml"
    static let lyon = "establishments/lyon-2.yaml"
    static let facials = "catalogue/services/soins-visage.yaml"
    static let offers = "catalogue/offers.yaml"
    static let products = "catalogue/products.yaml"
    static let stripe = "integrations/stripe.yaml"
    static let calendar = "integrations/google-calendar.yaml"
    static let planity = "integrations/planity.yaml"
    static let quickbooks = "integrations/quickbooks.yaml"
}

extension CorpusCase {
    static let yamlSyntaxCases: [CorpusCase] = {
        let f = Example.facials, o = Example.organization, p = Example.paris
        return [
            .patch("unterminated-quote", .yamlSyntax, "yaml-syntax", at: "\(f):12:13", says: ["quotes"], .replace(f, "price: \"65.00 EUR\"\n", "price: \"65.00 EUR\n")),
            .patch(
                "unterminated-quote-at-end", .yamlSyntax, "yaml-syntax", at: "catalogue/extra.yaml:6:1", says: ["close the quote opened at line 5, column 16"],
                .write("catalogue/extra.yaml", "apiVersion: salonops.io/v1\nkind: Product\nmetadata: {name: extra}\nspec:\n  displayName: \"Extra\n")),
            .patch("tab-indentation", .yamlSyntax, "yaml-syntax", at: "\(f):10:1", says: ["replace the tab with spaces"], .replace(f, "  duration: 1h\n", "\tduration: 1h\n")),
            .patch("missing-colon", .yamlSyntax, "yaml-syntax", at: "\(f):9:3", .replace(f, "  category: soins-visage\n  description", "  category soins-visage\n  description")),
            .patch("over-indented-key", .yamlSyntax, "yaml-syntax", at: "\(f):8:13", .replace(f, "  category: soins-visage\n", "    category: soins-visage\n")),
            .patch("unclosed-flow-sequence", .yamlSyntax, "yaml-syntax", at: "\(p):22:5", .replace(p, "tuesday: [\"10:00-19:00\"]", "tuesday: [\"10:00-19:00\"")),
            .patch("unclosed-flow-mapping", .yamlSyntax, "yaml-syntax", at: "\(p):28:7", .replace(p, "reason: Noël}", "reason: Noël")),
            .patch("flow-mapping-missing-comma", .yamlSyntax, "yaml-syntax", at: "\(p):27:31", .replace(p, "{date: 2026-12-25, reason: Noël}", "{date: 2026-12-25 reason: Noël}")),
            .patch(
                "duplicate-key-service", .yamlSyntax, "duplicate-key", at: "\(f):12:3", says: ["'price'"],
                .replace(f, "  vatRate: \"20%\"\n", "  price: \"66.00 EUR\"\n  vatRate: \"20%\"\n")),
            .patch(
                "duplicate-key-nested", .yamlSyntax, "duplicate-key", at: "\(o):12:5", says: ["'currency'"],
                .replace(o, "    timezone: Europe/Paris\n", "    currency: USD\n    timezone: Europe/Paris\n")),
            .patch(
                "duplicate-weekday", .yamlSyntax, "duplicate-key", at: "\(p):22:5", says: ["'tuesday'"],
                .replace(p, "    wednesday: [\"10:00-19:00\"]\n", "    tuesday: [\"10:00-18:00\"]\n")),
            .patch(
                "unknown-alias", .yamlSyntax, "yaml-syntax", at: "\(f):6:7", says: ["undefined alias", "define the anchor first"],
                .replace(f, "spec:\n  displayName: Soin visage hydratant\n", "spec: *base\nx:\n  displayName: Soin visage hydratant\n")),
            .patch(
                "yaml-2-directive", .yamlSyntax, "yaml-syntax", at: "\(o):1:1", says: ["version other than 1.x", "remove the '%YAML' line"], never: ["indentation"],
                .replace(o, "# The one Organization", "%YAML 2.0\n---\n# The one Organization")),
            .patch(
                "mapping-in-plain-scalar", .yamlSyntax, "yaml-syntax", at: "\(f):7:27",
                .replace(f, "  displayName: Soin visage hydratant\n", "  displayName: Soin visage: hydratant\n")),
            .patch(
                "block-scalar-bad-indent", .yamlSyntax, "yaml-syntax", at: "\(f):12:3",
                .replace(
                    f, "  description: \"Démaquillage, gommage, masque hydratant à l'acide hyaluronique et modelage du visage.\"\n",
                    "  description: |\n    Démaquillage\n  gommage\n")),
            .patch(
                "document-is-a-list", .yamlSyntax, "not-a-mapping", at: "catalogue/extra.yaml:1:1", says: ["mapping"],
                .write("catalogue/extra.yaml", "- apiVersion: salonops.io/v1\n  kind: Service\n")),
            .patch(
                "document-is-a-scalar", .yamlSyntax, "not-a-mapping", at: "catalogue/notes.yaml:1:1", says: ["apiVersion"],
                .write("catalogue/notes.yaml", "Liste des soins à revoir\n")),
            .patch(
                "stray-document-marker", .yamlSyntax, "yaml-syntax", at: "\(f):9:11",
                .replace(f, "  displayName: Soin visage hydratant\n", "  displayName: Soin visage hydratant\n---- x\n")),
        ]
    }()

    static let encodingCases: [CorpusCase] = {
        let f = Example.facials, o = Example.organization, p = Example.paris
        return [
            // A byte-order mark is accepted: the next error is found where it is, the first key is not "missing".
            .patch(
                "utf8-bom-is-read", .encoding, "unknown-field", at: "\(f):11:3", says: ["'prise'"], never: ["apiVersion"],
                .transform(f, Bytes.then(Bytes.replacing("  price:", with: Array("  prise:".utf8)), Bytes.bom))),
            .patch(
                "utf8-bom-organization", .encoding, "invalid-value", at: "\(o):13:13", never: ["apiVersion", "missing"],
                .transform(o, Bytes.then(Bytes.replacing("fr-FR", with: Array("french".utf8)), Bytes.bom))),
            .patch(
                "crlf-line-ends", .encoding, "invalid-money", at: "\(f):11:10", .transform(f, Bytes.then(Bytes.replacing("65.00 EUR", with: Array("65.005 EUR".utf8)), Bytes.crlf))),
            .patch(
                "cr-only-line-ends", .encoding, "invalid-money", at: "\(f):11:10",
                .transform(f, Bytes.then(Bytes.replacing("65.00 EUR", with: Array("65.005 EUR".utf8)), Bytes.crOnly))),
            .patch(
                "crlf-nul-after-accent", .encoding, "encoding", at: "\(o):9:28", says: ["U+0000"],
                .transform(o, Bytes.then(Bytes.replacing("Époque", with: Array("Époque".utf8) + [0]), Bytes.crlf))),
            .patch(
                "cr-only-duplicate-key", .encoding, "duplicate-key", at: "\(f):12:3",
                .transform(f, Bytes.then(Bytes.replacing("  vatRate: \"20%\"\n", with: Array("  price: \"1.00 EUR\"\n  vatRate: \"20%\"\n".utf8)), Bytes.crOnly))),
            .patch(
                "utf16-le-with-bom", .encoding, "encoding", at: "\(o):1:1", says: ["UTF-16", "save it as UTF-8"], .transform(o, { Bytes.utf16($0, bigEndian: false, bom: true) })),
            .patch(
                "utf16-be-with-bom", .encoding, "encoding", at: "\(o):1:1", says: ["UTF-16 (big-endian)", "save it as UTF-8"],
                .transform(o, { Bytes.utf16($0, bigEndian: true, bom: true) })),
            .patch(
                "utf16-le-without-bom", .encoding, "encoding", at: "\(f):1:1", says: ["UTF-16 (little-endian)"], .transform(f, { Bytes.utf16($0, bigEndian: false, bom: false) })),
            .patch("utf16-be-without-bom", .encoding, "encoding", at: "\(f):1:1", says: ["UTF-16 (big-endian)"], .transform(f, { Bytes.utf16($0, bigEndian: true, bom: false) })),
            .patch("latin1-file", .encoding, "encoding", at: "\(o):9:22", says: ["0xC9", "'É'", "save it as UTF-8"], .transform(o, Bytes.latin1)),
            .patch(
                "latin1-in-comment", .encoding, "encoding", at: "\(p):1:38", says: ["0xE0", "'à'"],
                .transform(p, Bytes.replacing("late opening", with: [0xE0] + Array(" late opening".utf8)))),
            .patch(
                "windows-1252-quote", .encoding, "encoding", at: "\(f):1:11", says: ["0x92"], .transform(f, Bytes.replacing("# Soins du", with: Array("# Soins du".utf8) + [0x92]))),
            .patch(
                "nul-in-value", .encoding, "encoding", at: "\(f):7:26", says: ["U+0000 (NUL)", "delete it"],
                .transform(f, Bytes.replacing("Soin visage hydratant\n", with: Array("Soin visag".utf8) + [0] + Array("e hydratant\n".utf8)))),
            .patch(
                "bel-control-character", .encoding, "encoding", at: "\(f):8:13", says: ["U+0007 (BEL)"],
                .transform(f, Bytes.replacing("soins-visage\n", with: [7] + Array("soins-visage\n".utf8)))),
            .patch(
                "escape-control-character", .encoding, "encoding", at: "\(o):9:16", says: ["U+001B"],
                .transform(o, Bytes.replacing("Belle Époque Instituts", with: [0x1B] + Array("[1mBelle Époque Instituts".utf8)))),
            .patch(
                "del-character", .encoding, "encoding", at: "\(f):11:15", says: ["U+007F (DEL)"],
                .transform(f, Bytes.replacing("65.00 EUR", with: Array("65.0".utf8) + [0x7F] + Array("0 EUR".utf8)))),
            .patch(
                "c1-control-character", .encoding, "encoding", at: "\(f):8:13", says: ["U+0081"],
                .transform(f, Bytes.replacing("soins-visage\n", with: [0xC2, 0x81] + Array("soins-visage\n".utf8)))),
            .patch("truncated-utf8-at-end", .encoding, "encoding", at: "\(f):53:1", says: ["0xE2"], .transform(f, { $0 + [0xE2, 0x80] })),
            .patch(
                "overlong-utf8", .encoding, "encoding", at: "\(f):3:7", says: ["0xC0"], .transform(f, Bytes.replacing("Service\n", with: [0xC0, 0xAF] + Array("Service\n".utf8)))),
            .patch(
                "utf8-encoded-surrogate", .encoding, "encoding", at: "\(f):7:16", says: ["0xED"],
                .transform(f, Bytes.replacing("Soin visage hydratant\n", with: [0xED, 0xA0, 0x80] + Array("Soin visage hydratant\n".utf8)))),
        ]
    }()
}
