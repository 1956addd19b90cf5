package io.xaiscale.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ECharts options as plain data (no functions), serialised to JSON that is safe inside an HTML
 * {@code <script type="application/json">} block: every {@code <} is written {@code \u003c}, so a
 * class name such as {@code </script>} stays text.
 */
final class Charts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Charts() {}

    static String json(Object option) {
        try {
            return JSON.writeValueAsString(option).replace("<", "\\u003c").replace(">", "\\u003e");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> base(List<String> categories) {
        return map(
                "animation", false,
                "tooltip", map("trigger", "item"),
                "grid", grid(categories));
    }

    /**
     * The plot's margins. Slanted category labels reach left of their tick by most of their length, so
     * the first ones would be cut at the chart's edge: the grid then contains its labels (ECharts'
     * {@code containLabel}), its margins measured from the labels' far edges.
     */
    private static Map<String, Object> grid(List<String> categories) {
        if (categories.size() > 3) {
            return map("left", 75, "right", 30, "top", 30, "bottom", 10, "containLabel", true);
        }
        return map("left", 70, "right", 30, "top", 30, "bottom", bottom(categories));
    }

    /** About the width of a label of 11-pixel text, in pixels. */
    static int textWidth(List<String> labels) {
        return (int)
                Math.ceil(6.2 * labels.stream().mapToInt(String::length).max().orElse(0));
    }

    /** Room under the plot for the category labels, whole (slanted by 30 degrees when there are more than 3). */
    static int bottom(List<String> categories) {
        return categories.size() > 3 ? 40 + textWidth(categories) / 2 : 60;
    }

    /** The height of a heatmap chart: {@code row} pixels per row of {@code ys}, and room for the labels of {@code xs}. */
    static int heatmapHeight(List<String> xs, List<String> ys, int row) {
        return Math.max(240, 30 + row * ys.size() + 60 + bottom(xs));
    }

    /** A category axis whose labels are the full names, never cut (slanted when there are more than 3). */
    private static Map<String, Object> categoryAxis(List<String> names) {
        return map(
                "type",
                "category",
                "data",
                names,
                "axisLabel",
                map("interval", 0, "rotate", names.size() > 3 ? 30 : 0, "fontSize", 11, "overflow", "none"));
    }

    /** A value axis named along its side (out of the legend's way). */
    private static Map<String, Object> valueAxis(String name) {
        return map("type", "value", "name", name, "nameLocation", "middle", "nameGap", 50, "scale", true);
    }

    /** What a metric's axis says of its direction. */
    static String direction(Boolean higherIsBetter) {
        return higherIsBetter == null ? "" : higherIsBetter ? " (higher is better)" : " (lower is better)";
    }

    /**
     * Means with their 95% intervals, one box per category drawn from the interval's low to its high
     * end with the mean as its middle line (a boxplot series carrying {@code [low, low, mean, high,
     * high]}).
     */
    static Map<String, Object> intervals(
            List<String> names, List<double[]> lowMeanHigh, String valueName, Boolean higherIsBetter) {
        List<List<Double>> data = new ArrayList<>();
        for (double[] v : lowMeanHigh) {
            data.add(List.of(v[0], v[0], v[1], v[2], v[2]));
        }
        Map<String, Object> o = base(names);
        o.put("xAxis", categoryAxis(names));
        o.put("yAxis", valueAxis("mean" + direction(higherIsBetter)));
        o.put(
                "series",
                List.of(map(
                        "type",
                        "boxplot",
                        "name",
                        valueName + " (95% interval, mean)",
                        "data",
                        data,
                        "itemStyle",
                        map("color", "#9ecae1", "borderColor", "#08519c"))));
        return o;
    }

    /** Blue through white (0) to red: a signed quantity. */
    static final List<String> DIVERGING = List.of("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b");

    /** Light to dark: a non-negative quantity. */
    static final List<String> SEQUENTIAL = List.of("#fff7ec", "#fdbb84", "#ef6548", "#990000");

    /**
     * A heatmap of {@code values[y][x]} (null: no value) over the given categories, on a diverging scale
     * centred at 0 when {@code min < 0 < max}, else on a sequential one.
     */
    static Map<String, Object> heatmap(
            List<String> xs, List<String> ys, Double[][] values, double min, double max, String valueName) {
        List<List<Object>> data = new ArrayList<>();
        for (int y = 0; y < ys.size(); y++) {
            for (int x = 0; x < xs.size(); x++) {
                if (values[y][x] != null) {
                    data.add(List.of(x, y, values[y][x]));
                }
            }
        }
        Map<String, Object> o = base(xs);
        o.put(
                "grid",
                map("left", Math.min(480, 20 + textWidth(ys)), "right", 30, "top", 30, "bottom", 60 + bottom(xs)));
        o.put("xAxis", categoryAxis(xs));
        o.put(
                "yAxis",
                map(
                        "type",
                        "category",
                        "data",
                        ys,
                        "inverse",
                        true,
                        "axisLabel",
                        map("interval", 0, "fontSize", 11, "overflow", "none")));
        o.put(
                "visualMap",
                map(
                        "min",
                        min,
                        "max",
                        max,
                        "calculable",
                        true,
                        "orient",
                        "horizontal",
                        "left",
                        "center",
                        "bottom",
                        0,
                        "text",
                        List.of(valueName, ""),
                        "inRange",
                        // a signed quantity (a correlation, a shift) on a diverging scale, white at 0, so that
                        // -0.14 does not read as agreement; a share or a magnitude on a sequential one
                        map("color", min < 0 && max > 0 ? DIVERGING : SEQUENTIAL)));
        o.put(
                "series",
                List.of(map(
                        "type",
                        "heatmap",
                        "name",
                        valueName,
                        "data",
                        data,
                        "label",
                        map("show", xs.size() * ys.size() <= 150, "fontSize", 10))));
        return o;
    }

    /** One line per series name over a numeric x axis ({@code points}: [x, y] pairs). */
    static Map<String, Object> lines(String xName, String yName, Map<String, List<double[]>> points) {
        List<Object> series = new ArrayList<>();
        points.forEach((name, pts) -> series.add(map(
                "type",
                "line",
                "name",
                name,
                "data",
                pts.stream().map(p -> List.of(p[0], p[1])).toList())));
        Map<String, Object> o = base(List.of());
        o.put("tooltip", map("trigger", "axis"));
        o.put("legend", map("type", "scroll", "top", 0));
        o.put("grid", map("left", 70, "right", 30, "top", 40, "bottom", 50));
        o.put("xAxis", map("type", "value", "name", xName, "nameLocation", "middle", "nameGap", 28, "scale", true));
        o.put("yAxis", valueAxis(yName));
        o.put("series", series);
        return o;
    }

    /**
     * One mean curve per series name over a numeric x axis with its interval as a shaded band ({@code
     * points}: [x, mean, low, high]): the band is two stacked series, the low end (no line) and the width up
     * to the high end (shaded), so it shows in the legend under the curve's own name.
     */
    static Map<String, Object> bands(String xName, String yName, Map<String, List<double[]>> points) {
        List<Object> series = new ArrayList<>();
        int k = 0;
        for (var e : points.entrySet()) {
            String stack = "band" + (k++);
            List<double[]> pts = e.getValue();
            series.add(map(
                    "type",
                    "line",
                    "name",
                    e.getKey(),
                    "showSymbol",
                    false,
                    "data",
                    pts.stream().map(p -> List.of(p[0], p[1])).toList()));
            series.add(bandEdge(
                    e.getKey(),
                    stack,
                    pts.stream().map(p -> List.of(p[0], p[2])).toList(),
                    false));
            series.add(bandEdge(
                    e.getKey(),
                    stack,
                    pts.stream().map(p -> List.of(p[0], p[3] - p[2])).toList(),
                    true));
        }
        Map<String, Object> o = base(List.of());
        o.put("tooltip", map("trigger", "axis"));
        o.put("legend", map("type", "scroll", "top", 0));
        o.put("grid", map("left", 70, "right", 30, "top", 40, "bottom", 50));
        o.put(
                "xAxis",
                map("type", "value", "name", xName, "nameLocation", "middle", "nameGap", 28, "min", 0, "max", 1));
        o.put("yAxis", valueAxis(yName));
        o.put("series", series);
        return o;
    }

    /** A band's low end ({@code shaded} false: no line, no area) or its width stacked on it (shaded). */
    private static Map<String, Object> bandEdge(String name, String stack, List<List<Double>> data, boolean shaded) {
        Map<String, Object> m = map(
                "type",
                "line",
                "name",
                name,
                "stack",
                stack,
                "showSymbol",
                false,
                "silent",
                true,
                "lineStyle",
                map("opacity", 0),
                "data",
                data);
        if (shaded) {
            m.put("areaStyle", map("opacity", 0.15));
        }
        return m;
    }

    /** One point per series name ({@code points}: [x, y]), e.g. cost against quality per method. */
    static Map<String, Object> scatter(
            String xName, String yName, Boolean higherIsBetter, Map<String, double[]> points) {
        List<Object> series = new ArrayList<>();
        points.forEach((name, p) -> series.add(
                map("type", "scatter", "name", name, "symbolSize", 12, "data", List.of(List.of(p[0], p[1])))));
        Map<String, Object> o = base(List.of());
        o.put("legend", map("type", "scroll", "top", 0));
        o.put("grid", map("left", 70, "right", 30, "top", 40, "bottom", 50));
        o.put("xAxis", map("type", "log", "name", xName, "nameLocation", "middle", "nameGap", 28));
        o.put("yAxis", valueAxis(yName + direction(higherIsBetter)));
        o.put("series", series);
        return o;
    }
}
