import Foundation

/// `secrets check` and `secrets revoke`: every encrypted file against its creation rule.
public enum RecipientAudit {
    public struct FileReport: Sendable, Equatable {
        public var file: String
        public var problems: [String]
        public var recipients: [String]
        public var lastModified: String?
        public var ok: Bool { problems.isEmpty }
    }

    /// Whether the recipients a file has are the ones its rule names (order aside).
    public static func recipientProblems(file: String, metadata: SopsMetadata, rules: CreationRules?) -> [String] {
        guard let rules else { return ["no \(CreationRules.fileName) above this file: its recipients cannot be checked"] }
        let rule: CreationRules.Rule
        do { rule = try rules.rule(for: file) } catch { return ["\(error)"] }
        let expected = rule.settings.groups.map { Set($0.map(\.description)) }.filter { !$0.isEmpty }
        let actual = metadata.keyGroups.map { Set($0.age.map(\.recipient)) }.filter { !$0.isEmpty }
        if expected == actual { return [] }
        let expectedAll = expected.reduce(into: Set<String>()) { $0.formUnion($1) }
        let actualAll = actual.reduce(into: Set<String>()) { $0.formUnion($1) }
        var problems: [String] = []
        let missing = expectedAll.subtracting(actualAll).sorted()
        let extra = actualAll.subtracting(expectedAll).sorted()
        if !missing.isEmpty {
            problems.append("recipients missing compared with \(rules.path) line \(rule.line): \(missing.joined(separator: ", ")) (run `salonops secrets updatekeys`)")
        }
        if !extra.isEmpty {
            problems.append(
                "recipients not in \(rules.path) line \(rule.line): \(extra.joined(separator: ", ")) (run `salonops secrets updatekeys`, or `revoke` to also rotate the key)")
        }
        if missing.isEmpty && extra.isEmpty { problems.append("key groups differ from \(rules.path) line \(rule.line) (run `salonops secrets updatekeys`)") }
        return problems
    }

    /// MAC good, decryptable with the keys at hand, recipients as the rules say.
    public static func check(files: [String], rulesPath: String?, context: SecretsContext) -> [FileReport] {
        files.map { file in
            var report = FileReport(file: file, problems: [], recipients: [], lastModified: nil)
            let text: String
            do { text = try SecretsOperations.readFile(file) } catch { report.problems.append("\(error)"); return report }
            let sops: SopsFile
            do { sops = try SopsFile.parse(text) } catch { report.problems.append("\(error)"); return report }
            report.recipients = sops.metadata.recipients
            report.lastModified = sops.metadata.lastModified
            let rules = (rulesPath ?? CreationRules.find(for: file)).flatMap { path in Result { try CreationRules.load(path: path) } }
            switch rules {
            case .failure(let error): report.problems.append("\(error)")
            case .success(let rules): report.problems += recipientProblems(file: file, metadata: sops.metadata, rules: rules)
            case nil: report.problems += recipientProblems(file: file, metadata: sops.metadata, rules: nil)
            }
            do { _ = try SecretsOperations.open(text, file: file, context: context) } catch let error as SecretsFileError {
                report.problems.append("\(error.underlying)")
            } catch { report.problems.append("\(error)") }
            return report
        }
    }

    /// Removes a recipient from every file that lists it, with a new data key for each (they may
    /// have kept the old one), then from `.sops.yaml`. Returns the files rewritten.
    public static func revoke(_ recipient: AgeRecipient, files: [String], rulesPath: String?, context: SecretsContext) throws -> [String] {
        let target = recipient.description
        var rewritten: [String] = []
        // Check every file first, so a missing key stops the command before anything changes.
        var plans: [(String, SopsFile.Settings)] = []
        for file in files {
            let text = try SecretsOperations.readFile(file)
            let sops = try SecretsFileError.wrap(file) { try SopsFile.parse(text) }
            guard sops.metadata.recipients.contains(target) else { continue }
            var settings = try SecretsFileError.wrap(file) { try SecretsOperations.settings(of: sops) }
            settings.groups = settings.groups.map { $0.filter { $0 != recipient } }
            guard settings.groups.contains(where: { !$0.isEmpty }) else {
                throw SecretsFileError(file: file, underlying: SopsError.badRule("\(target) is this file's only recipient: add another before revoking"))
            }
            _ = try SecretsOperations.open(text, file: file, context: context, keyPaths: [])
            plans.append((file, settings))
        }
        for (file, settings) in plans {
            try SecretsOperations.rotate(file: file, settings: settings, context: context)
            rewritten.append(file)
        }
        if let rulesPath {
            let text = try SecretsOperations.readFile(rulesPath)
            let updated = removing(target, fromRulesText: text)
            if updated != text {
                let parsed = try CreationRules.parse(updated, path: rulesPath)
                guard !parsed.rules.contains(where: { $0.settings.groups.joined().contains(recipient) }) else {
                    throw SopsError.badRule("\(rulesPath): \(target) is still listed in a form this command cannot edit; remove it by hand (the files are already rotated)")
                }
                try AtomicFile.write(updated, to: rulesPath)
                rewritten.append(rulesPath)
            }
        }
        return rewritten
    }

    /// The `.sops.yaml` text without one recipient, comments and layout kept: a list item line
    /// goes; in a comma-separated list the entry and its comma go.
    static func removing(_ recipient: String, fromRulesText text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.contains(recipient) else { lines.append(line); continue }
            var edited = line
            for pattern in [recipient + ",", ", " + recipient, "," + recipient, recipient] {
                edited = edited.replacingOccurrences(of: pattern, with: "")
            }
            let trimmed = edited.trimmingCharacters(in: .whitespaces)
            if trimmed == "-" || trimmed.isEmpty { continue }
            lines.append(edited.replacingOccurrences(of: #",\s*$"#, with: "", options: .regularExpression))
        }
        return lines.joined(separator: "\n")
    }
}
