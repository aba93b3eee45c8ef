import CCairo
import TallyFiles
#if canImport(Glibc)
import Glibc
#endif

/// The three outputs of the one drawing path.
public enum ChartFormat: String, CaseIterable, Sendable {
    case png, svg, pdf

    /// The format a file name's extension asks for, or nil.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: path[path.index(after: dot)...].lowercased())
    }
}

public struct RenderError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// The bytes a Cairo surface writes, collected in memory and then written by `AtomicFile`.
///
/// Cairo's own file output goes through stdio and does not report an error that shows only
/// when the stream is flushed or closed (a full disk, `ulimit -f`): it would report success
/// for a truncated file. Writing through this sink, every byte is accounted for, and the
/// file is written (whole or not at all) with its errors reported.
public final class CairoSink {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// The write function to give Cairo, with `Unmanaged.passUnretained(sink).toOpaque()` as its closure.
    public static let write: cairo_write_func_t = { closure, data, length in
        guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<CairoSink>.fromOpaque(closure).takeUnretainedValue()
        if let data, length > 0 { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length))) }
        return CAIRO_STATUS_SUCCESS
    }

    public var closure: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Writes what Cairo produced to `path` (whole or not at all).
    public func save(to path: String) throws {
        do { try AtomicFile.write(bytes, to: path) } catch let e as FileWriteError { throw RenderError(e.description) }
    }
}

/// An ARGB32 Cairo image surface: what PNG output draws into, and what tests read back.
public final class ImageSurface {
    let surface: OpaquePointer
    public let width: Int
    public let height: Int

    init(surface: OpaquePointer) {
        self.surface = surface
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
    }

    public convenience init(width: Int, height: Int) {
        self.init(surface: cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)))
    }

    deinit { cairo_surface_destroy(surface) }

    /// Reads a PNG file (nil when it is missing or not a PNG).
    public static func readPNG(_ path: String) -> ImageSurface? {
        let s = cairo_image_surface_create_from_png(path)!
        guard cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else { cairo_surface_destroy(s); return nil }
        return ImageSurface(surface: s)
    }

    /// Writes the PNG whole or not at all.
    public func writePNG(_ path: String) throws {
        let sink = CairoSink()
        let status = cairo_surface_write_to_png_stream(surface, CairoSink.write, sink.closure)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("cannot write \(path): \(String(cString: cairo_status_to_string(status)))")
        }
        try withExtendedLifetime(sink) { try sink.save(to: path) }
    }

    /// The pixel at (x, y) as premultiplied (a, r, g, b) bytes.
    public func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        let v = data.advanced(by: y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
        return (UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }

    /// How two images differ: the number of pixels whose channels differ by more than
    /// `tolerance` (0–255), and the largest channel difference. Different sizes: every pixel.
    public func difference(_ other: ImageSurface, tolerance: Int) -> (pixels: Int, maxDelta: Int) {
        guard width == other.width, height == other.height else { return (max(width * height, other.width * other.height), 255) }
        cairo_surface_flush(surface)
        cairo_surface_flush(other.surface)
        let sa = Int(cairo_image_surface_get_stride(surface)), sb = Int(cairo_image_surface_get_stride(other.surface))
        let a = cairo_image_surface_get_data(surface)!, b = cairo_image_surface_get_data(other.surface)!
        var count = 0, maxDelta = 0
        for y in 0..<height {
            for x in 0..<width {
                var worst = 0
                for c in 0..<4 { worst = max(worst, abs(Int(a[y * sa + x * 4 + c]) - Int(b[y * sb + x * 4 + c]))) }
                maxDelta = max(maxDelta, worst)
                if worst > tolerance { count += 1 }
            }
        }
        return (count, maxDelta)
    }
}

/// Draws with one function into any of the three surfaces. Sizes are in points; a PNG has
/// `width × dpi / 72` pixels. PDF bytes are reproducible: the creation date is
/// `SOURCE_DATE_EPOCH` when set, else 1970-01-01T00:00:00Z.
public enum Renderer {
    /// A white image of the drawing at `dpi`.
    public static func image(width: Double, height: Double, dpi: Double, draw: (Canvas) throws -> Void) rethrows -> ImageSurface {
        let scale = dpi / 72
        let img = ImageSurface(width: Int((width * scale).rounded()), height: Int((height * scale).rounded()))
        let cr = cairo_create(img.surface)!
        defer { cairo_destroy(cr) }
        cairo_scale(cr, scale, scale)
        try paint(cr, width: width, height: height, draw: draw)
        cairo_surface_flush(img.surface)
        return img
    }

    /// Writes the drawing to `path` as `format`.
    public static func write(_ path: String, format: ChartFormat, width: Double, height: Double, dpi: Double = 144,
                             title: String = "", draw: (Canvas) throws -> Void) throws {
        switch format {
        case .png:
            try image(width: width, height: height, dpi: dpi, draw: draw).writePNG(path)
        case .svg, .pdf:
            let sink = CairoSink()
            try withExtendedLifetime(sink) {
                try writeVector(sink, finalPath: path, format: format, width: width, height: height, title: title, draw: draw)
                try sink.save(to: path)
            }
        }
    }

    static func writeVector(_ sink: CairoSink, finalPath: String, format: ChartFormat, width: Double, height: Double,
                            title: String, draw: (Canvas) throws -> Void) throws {
        let surface: OpaquePointer
        if format == .svg {
            surface = cairo_svg_surface_create_for_stream(CairoSink.write, sink.closure, width, height)!
            cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_2)
        } else {
            surface = cairo_pdf_surface_create_for_stream(CairoSink.write, sink.closure, width, height)!
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, pdfDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, pdfDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Tally")
            if !title.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        do {
            try paint(cr, width: width, height: height, draw: draw)
        } catch {
            cairo_destroy(cr)
            throw error
        }
        cairo_show_page(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("cannot write \(finalPath): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    static func paint(_ cr: OpaquePointer, width: Double, height: Double, draw: (Canvas) throws -> Void) rethrows {
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_rectangle(cr, 0, 0, width, height)
        cairo_fill(cr)
        let canvas = Canvas(cr: cr)
        try draw(canvas)
    }

    /// `SOURCE_DATE_EPOCH` (seconds) as ISO 8601 UTC, or the Unix epoch.
    static var pdfDate: String {
        var seconds: Int64 = 0
        if let p = getenv("SOURCE_DATE_EPOCH"), let s = Int64(String(cString: p)), s >= 0 { seconds = s }
        let days = seconds / 86_400, rest = seconds % 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468, era = z / 146_097, doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func p2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(p2(m))-\(p2(d))T\(p2(rest / 3600)):\(p2(rest % 3600 / 60)):\(p2(rest % 60))Z"
    }
}
