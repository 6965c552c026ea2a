import Foundation
@testable import SignalingServer
import Testing

@Suite("Rate limits")
struct SignalingRateLimitTests {
    @Test("N/DURATION parses; nonsense does not")
    func parsing() {
        #expect(RateLimit(parsing: "5/10s") == RateLimit(burst: 5, period: 10))
        #expect(RateLimit(parsing: "30/1m") == RateLimit(burst: 30, period: 60))
        #expect(RateLimit(parsing: "2/0.5h") == RateLimit(burst: 2, period: 1800))
        for bad in ["", "5", "5/", "/10s", "0/10s", "-1/10s", "5/10", "5/10d", "5/0s", "x/10s", "5/infs", "5/10s/2"] {
            #expect(RateLimit(parsing: bad) == nil, "\(bad)")
        }
        #expect(RateLimit.standard.description == "5/10s")
    }

    @Test("a bucket allows the burst, then one per period/burst, with Retry-After rounded up")
    func bucket() throws {
        let limiter = RateLimiter<String>(limit: try #require(RateLimit(burst: 2, period: 10)))
        let start = Date(timeIntervalSince1970: 1000)
        #expect(limiter.take("a", now: start) == nil)
        #expect(limiter.take("a", now: start) == nil)
        #expect(limiter.take("a", now: start) == 5)
        #expect(limiter.take("b", now: start) == nil, "keys have their own buckets")
        #expect(limiter.take("a", now: start.addingTimeInterval(4)) == 1)
        #expect(limiter.take("a", now: start.addingTimeInterval(5.1)) == nil)
        #expect(limiter.take("a", now: start.addingTimeInterval(5.2)) == 5)
        #expect(limiter.take("a", now: start.addingTimeInterval(100)) == nil, "idle buckets refill to the burst")
        #expect(limiter.take("a", now: start.addingTimeInterval(100)) == nil)
        #expect(limiter.take("a", now: start.addingTimeInterval(100)) != nil)
    }

    @Test("a flood of distinct keys never grows the table past its bound")
    func bounded() throws {
        let limiter = RateLimiter<Int>(limit: try #require(RateLimit(burst: 1, period: 60)))
        let now = Date(timeIntervalSince1970: 0)
        var refused = 0
        for key in 0..<(RateLimiter<Int>.maximumKeys + 10) where limiter.take(key, now: now) != nil { refused += 1 }
        #expect(refused == 0)
        #expect(limiter.count <= RateLimiter<Int>.maximumKeys)
    }
}
