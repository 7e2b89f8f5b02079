package io.zeroframe.drm;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A property's definition ({@code DRM_IOCTL_MODE_GETPROPERTY}): its name, kind, flags and the values it allows.
 * Values are 64-bit; a {@link PropertyKind#RANGE} compares them unsigned.
 *
 * @param id      the property's id
 * @param name    e.g. {@code "FB_ID"}, {@code "MODE_ID"}, {@code "type"}
 * @param kind    what values it takes
 * @param flags   {@link PropertyFlag#IMMUTABLE}, {@link PropertyFlag#ATOMIC}
 * @param min     for ranges: the smallest value (signed for {@link PropertyKind#SIGNED_RANGE}); else 0
 * @param max     for ranges: the largest value; else 0
 * @param objectType for {@link PropertyKind#OBJECT}: the kernel's {@code DRM_MODE_OBJECT_*} type it refers to
 * @param enums   for {@link PropertyKind#ENUM} and {@link PropertyKind#BITMASK}: the named values (bit positions
 *                for a bitmask)
 */
public record Property(PropertyId id, String name, PropertyKind kind, Set<PropertyFlag> flags, long min, long max,
                       int objectType, List<EnumValue> enums) {
    /**
     * One named value of an enum or bitmask property.
     *
     * @param name  e.g. {@code "Primary"}, {@code "rotate-0"}
     * @param value the value (for a bitmask, the bit position)
     */
    public record EnumValue(String name, long value) {
        public EnumValue {
            Objects.requireNonNull(name, "name");
        }
    }

    public Property {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        flags = Set.copyOf(flags);
        enums = List.copyOf(enums);
    }

    /** Whether only the kernel sets it ({@code DRM_MODE_PROP_IMMUTABLE}). */
    public boolean isImmutable() {
        return flags.contains(PropertyFlag.IMMUTABLE);
    }

    /** Whether {@code value} is one this property accepts (its range, enum values or bits). Allocates nothing. */
    public boolean accepts(long value) {
        switch (kind) {
            case RANGE:
                return Long.compareUnsigned(value, min) >= 0 && Long.compareUnsigned(value, max) <= 0;
            case SIGNED_RANGE:
                return value >= min && value <= max;
            case ENUM:
                for (int i = 0; i < enums.size(); i++) {
                    if (enums.get(i).value() == value) {
                        return true;
                    }
                }
                return false;
            case BITMASK:
                long allowed = 0;
                for (int i = 0; i < enums.size(); i++) {
                    allowed |= 1L << enums.get(i).value();
                }
                return (value & ~allowed) == 0;
            default: // BLOB and OBJECT: an object id
                return value >= 0 && value <= 0xffff_ffffL;
        }
    }

    /** The value of the enum named {@code enumName}. */
    public java.util.OptionalLong enumValue(String enumName) {
        for (EnumValue value : enums) {
            if (value.name().equals(enumName)) {
                return java.util.OptionalLong.of(value.value());
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** What values it allows, for messages: {@code range [0, 4294967295]}, {@code enum {Overlay=0, Primary=1}}. */
    public String describeValues() {
        return switch (kind) {
            case RANGE -> "range [" + Long.toUnsignedString(min) + ", " + Long.toUnsignedString(max) + "]";
            case SIGNED_RANGE -> "signed range [" + min + ", " + max + "]";
            case ENUM, BITMASK -> kind.name().toLowerCase(java.util.Locale.ROOT) + " " + enums.stream()
                    .map(e -> e.name() + "=" + e.value()).toList();
            case BLOB -> "blob id";
            case OBJECT -> "object id";
        };
    }
}
