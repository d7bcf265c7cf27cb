import XCTest
final class MetaLangTestsPlaceholder: XCTestCase { func testNothing() {} }
