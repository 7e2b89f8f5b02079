package io.zeroframe.v4l2.media;

/**
 * What {@code MEDIA_IOC_DEVICE_INFO} says about a media device ({@code struct media_device_info}).
 *
 * @param driver        the driver's name, e.g. "vimc", "vivid": how tests and tools find a device
 * @param model         the device model, e.g. "VIMC MDEV"
 * @param serial        the serial number, often empty
 * @param busInfo       where the device sits, e.g. "platform:vimc"
 * @param mediaVersion  the media API version, {@code KERNEL_VERSION} encoded ({@code (major << 16) | (minor << 8) | patch})
 * @param hwRevision    the hardware revision (driver-specific)
 * @param driverVersion the driver version, encoded as {@code mediaVersion}
 */
public record MediaDeviceInfo(String driver, String model, String serial, String busInfo, int mediaVersion,
                              int hwRevision, int driverVersion) {

    /** {@code version} as "major.minor.patch". */
    public static String versionString(int version) {
        return (version >>> 16) + "." + ((version >>> 8) & 0xff) + "." + (version & 0xff);
    }
}
