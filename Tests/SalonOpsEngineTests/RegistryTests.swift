import Foundation
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsProviders
import SalonOpsSecrets
import Testing

/// The one registration point holds: the folders under Providers/, the registry's list, the
/// catalogue the loader is given and the docs pages agree.
@Suite struct RegistryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func folders() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Providers").path)
            .filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }.sorted()
    }

    @Test func foldersAndRegistryAgree() throws {
        let registered = Registry.modules.map { String(describing: $0) }.sorted()
        #expect(try folders() == registered, "each Providers/<Name> folder is registered once in Registry.swift, and nothing else is")
        for folder in try folders() {
            for part in ["Adapter", "Emulator", "Tests"] {
                var directory: ObjCBool = false
                let path = Self.root.appendingPathComponent("Providers/\(folder)/\(part)").path
                #expect(FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue, "Providers/\(folder)/\(part) is missing")
            }
        }
    }

    @Test func everyRegisteredProviderHasItsEmulatorAndDocsPage() throws {
        let emulators = try Registry.emulators(seed: 1).map(\.id)
        for module in Registry.modules {
            let id = module.spec.id
            #expect(emulators.contains(id), "\(id) has no emulator in the registry")
            #expect(!module.spec.kinds.isEmpty, "\(id) declares no kinds in its catalogue entry")
            #expect(module.traits.endpoint("api") != nil, "\(id) has no `api` endpoint")
            let page = Self.root.appendingPathComponent("docs/providers/\(id).md").path
            #expect(FileManager.default.fileExists(atPath: page), "docs/providers/\(id).md is missing")
        }
        #expect(Set(emulators).count == emulators.count)
    }

    @Test func catalogueIsTheRegistryPlusPlannedProviders() {
        let catalog = Registry.catalog
        let ids = catalog.all.map(\.id)
        #expect(Set(ids).count == ids.count, "a provider is both registered and planned")
        for module in Registry.modules { #expect(catalog.spec(module.spec.id)?.kinds.count == module.spec.kinds.count) }
        for planned in Registry.planned { #expect(Registry.providers.module(planned.id) == nil && planned.kinds.isEmpty) }
        // The nineteen providers of the product, whether built yet or not.
        #expect(ids.count == 19)
    }

    @Test func docsIndexListsEveryProviderPage() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs/providers").path)
            .filter { $0.hasSuffix(".md") && $0 != "writing-a-provider.md" }.map { String($0.dropLast(3)) }.sorted()
        // A planned provider may have its page already (Groupon: the feed the daemon serves).
        let planned = Set(Registry.planned.map(\.id))
        #expect(
            pages.filter { !planned.contains($0) } == Registry.modules.map { $0.spec.id }.sorted(),
            "docs/providers/ has a page per registered provider, and none for an unknown one")
    }
}

/// The config outline (pure core, no key) and the sops reader (secrets module) read the same
/// `.sops.yaml`: they must agree on which fields a creation rule has.
@Suite struct SopsRuleFieldsTests {
    @Test func theOutlineAndTheSopsReaderKnowTheSameRuleFields() {
        #expect(Set(SopsRulesOutline.ruleFields) == Set(CreationRules.ruleFields))
    }
}
