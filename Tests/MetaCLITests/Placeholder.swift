import XCTest
final class MetaCLITestsPlaceholder: XCTestCase { func testNothing() {} }
