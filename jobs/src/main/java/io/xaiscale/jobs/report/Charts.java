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

    private static Map<String, Object> base(int categories) {
        return map(
                "animation", false,
                "tooltip", map("trigger", "item"),
                "grid", map("left", 60, "right", 30, "top", 30, "bottom", categories > 3 ? 110 : 60));
    }

    private static Map<String, Object> categoryAxis(List<String> names) {
        return map(
                "type",
                "category",
                "data",
                names,
                "axisLabel",
                map(
                        "interval",
                        0,
                        "rotate",
                        names.size() > 3 ? 30 : 0,
                        "fontSize",
                        11,
                        "width",
                        150,
                        "overflow",
                        "truncate"));
    }

    /**
     * Means with their 95% intervals, one box per category drawn from the interval's low to its high
     * end with the mean as its middle line (a boxplot series carrying {@code [low, low, mean, high,
     * high]}).
     */
    static Map<String, Object> intervals(List<String> names, List<double[]> lowMeanHigh, String valueName) {
        List<List<Double>> data = new ArrayList<>();
        for (double[] v : lowMeanHigh) {
            data.add(List.of(v[0], v[0], v[1], v[2], v[2]));
        }
        Map<String, Object> o = base(names.size());
        o.put("xAxis", categoryAxis(names));
        o.put("yAxis", map("type", "value", "name", "mean", "scale", true));
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

    /** A heatmap of {@code values[y][x]} (null: no value) over the given categories. */
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
        Map<String, Object> o = base(xs.size());
        o.put("grid", map("left", 170, "right", 30, "top", 30, "bottom", xs.size() > 3 ? 170 : 90));
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
                        map("interval", 0, "fontSize", 11, "width", 160, "overflow", "truncate")));
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
                        List.of(valueName, "")));
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
        Map<String, Object> o = base(0);
        o.put("tooltip", map("trigger", "axis"));
        o.put("legend", map("type", "scroll", "top", 0));
        o.put("grid", map("left", 60, "right", 30, "top", 40, "bottom", 50));
        o.put("xAxis", map("type", "value", "name", xName, "nameLocation", "middle", "nameGap", 28, "scale", true));
        o.put("yAxis", map("type", "value", "name", yName, "scale", true));
        o.put("series", series);
        return o;
    }

    /** One point per series name ({@code points}: [x, y]), e.g. cost against quality per method. */
    static Map<String, Object> scatter(String xName, String yName, Map<String, double[]> points) {
        List<Object> series = new ArrayList<>();
        points.forEach((name, p) -> series.add(
                map("type", "scatter", "name", name, "symbolSize", 12, "data", List.of(List.of(p[0], p[1])))));
        Map<String, Object> o = base(0);
        o.put("legend", map("type", "scroll", "top", 0));
        o.put("grid", map("left", 60, "right", 30, "top", 40, "bottom", 50));
        o.put("xAxis", map("type", "log", "name", xName, "nameLocation", "middle", "nameGap", 28));
        o.put("yAxis", map("type", "value", "name", yName, "scale", true));
        o.put("series", series);
        return o;
    }
}
