import Testing
@testable import SalonOpsCore

/// Bytes that are not plain UTF-8: each is either read (a BOM) or reported where it is.
@Suite struct TextEncodingTests {
    static func load(_ bytes: [UInt8]) -> [Diagnostic] {
        ConfigLoader.parseFile(ConfigFile(path: "org.yaml", contents: bytes), catalog: .init([])).diagnostics
    }

    @Test func aByteOrderMarkIsSkipped() {
        let result = ConfigLoader.load([ConfigFile(path: "org.yaml", contents: [0xEF, 0xBB, 0xBF] + Array(Fixtures.organization.utf8))], catalog: .init([]))
        #expect(result.diagnostics.isEmpty, "\(Fixtures.lines(result))")
        #expect(result.state.organization?.metadata.name == "test-salon")
    }

    @Test func positionsCountLinesAsEditorsDo() {
        let text: [UInt8] = Array("a\r\nbé\rc\nd".utf8)
        #expect(TextEncoding.position(ofByte: 0, in: text) == (1, 1))
        #expect(TextEncoding.position(ofByte: 3, in: text) == (2, 1))  // after CRLF
        #expect(TextEncoding.position(ofByte: 6, in: text) == (2, 3))  // é is one column, two bytes
        #expect(TextEncoding.position(ofByte: 7, in: text) == (3, 1))  // after a lone CR
        #expect(TextEncoding.position(ofByte: 9, in: text) == (4, 1))
    }

    @Test func theFirstByteThatIsNotUTF8IsFound() {
        #expect(TextEncoding.firstInvalidUTF8Offset(Array("plain é ✓ 𝄞".utf8)) == nil)
        #expect(TextEncoding.firstInvalidUTF8Offset([0x61, 0xE9, 0x62]) == 1)  // Latin-1 é
        #expect(TextEncoding.firstInvalidUTF8Offset([0x61, 0xC0, 0xAF]) == 1)  // overlong '/'
        #expect(TextEncoding.firstInvalidUTF8Offset([0xED, 0xA0, 0x80]) == 0)  // a surrogate
        #expect(TextEncoding.firstInvalidUTF8Offset([0x61, 0xE2, 0x82]) == 1)  // cut short
        #expect(TextEncoding.firstInvalidUTF8Offset([0xF4, 0x90, 0x80, 0x80]) == 0)  // past U+10FFFF
    }

    @Test func latin1NamesTheByteAndWhereItIs() {
        let diagnostics = Self.load(Array("a: 1\nname: Caf".utf8) + [0xE9] + Array("\n".utf8))
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.code == .encoding)
        #expect(diagnostics.first?.location == SourceLocation(file: "org.yaml", line: 2, column: 10))
        #expect(diagnostics.first?.message.contains("0xE9") == true && diagnostics.first?.message.contains("'é'") == true)
        #expect(diagnostics.first?.hint?.contains("save it as UTF-8") == true)
    }

    @Test func utf16IsNamedWithOrWithoutAMark() {
        for (bytes, order) in [
            ([0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00], "little-endian"), ([0x00, 0x61, 0x00, 0x3A, 0x00, 0x20, 0x00, 0x31], "big-endian"), ([0x61, 0x00, 0x3A, 0x00], "little-endian"),
        ] as [([UInt8], String)] {
            let diagnostics = Self.load(bytes)
            #expect(diagnostics.map(\.message) == ["file is UTF-16 (\(order)) text; SalonOps reads UTF-8"])
            #expect(diagnostics.first?.location.line == 1)
        }
    }

    @Test func aControlCharacterIsNamedAtItsColumnAfterWideCharacters() {
        let diagnostics = Self.load(Array("a: 1\r\nname: Époque".utf8) + [0x07] + Array("\r\n".utf8))
        #expect(diagnostics.first?.location == SourceLocation(file: "org.yaml", line: 2, column: 13))
        #expect(diagnostics.first?.message == "control character U+0007 (BEL) is not allowed in YAML")
    }
}
