package dev.surgeon.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYAreaRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Charts written beside reports, drawn headless with JFreeChart: SVG through JFreeSVG or PNG, chosen by the
 * file extension. Three kinds: line charts (training curves, accuracy versus sparsity per method), bar charts
 * (per-layer sparsity) and density charts (an eigenvalue spectrum). One plain style for all: white
 * background, light grid, 2-pixel lines.
 */
final class Charts {
    static final int WIDTH = 800;
    static final int HEIGHT = 480;
    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    static {
        // No display on servers and CI; JFreeChart and Java2D work off-screen.
        System.setProperty("java.awt.headless", "true");
    }

    /** One curve: the points (x[i], y[i]); NaN values of y are left out. */
    record Series(String name, double[] x, double[] y) {
        Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    private Charts() {
    }

    /**
     * A line chart of several series. With {@code logY} the y axis is logarithmic when every plotted value is
     * positive (linear otherwise, since a log axis cannot show 0).
     */
    static JFreeChart line(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        XYSeriesCollection data = new XYSeriesCollection();
        boolean positive = true;
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isNaN(s.y()[i])) {
                    xy.add(s.x()[i], s.y()[i]);
                    positive &= s.y()[i] > 0;
                }
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                series.size() > 1, false, false);
        XYPlot plot = chart.getXYPlot();
        if (logY && positive) {
            plot.setRangeAxis(logAxis(yLabel));
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, points(series) <= 60);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            // Every other series dashed, so that curves lying on each other (train = test on XOR) stay visible.
            renderer.setSeriesStroke(i, i % 2 == 0 ? new BasicStroke(2f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        }
        plot.setRenderer(renderer);
        return style(chart);
    }

    private static int points(List<Series> series) {
        return series.stream().mapToInt(s -> s.x().length).max().orElse(0);
    }

    /**
     * A vertical bar chart: one group of bars per category, one bar per series in each group (e.g. the
     * sparsity of every layer, per method).
     */
    static JFreeChart bars(String title, String categoryLabel, String valueLabel, List<String> categories,
                           Map<String, double[]> series) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            if (s.getValue().length != categories.size()) {
                throw new IllegalArgumentException(s.getKey() + ": " + s.getValue().length + " values for "
                        + categories.size() + " categories");
            }
            for (int i = 0; i < categories.size(); i++) {
                data.addValue(s.getValue()[i], s.getKey(), categories.get(i));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data, PlotOrientation.VERTICAL,
                series.size() > 1, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        if (categories.size() > 6) {
            plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        plot.setRangeGridlinePaint(GRID);
        plot.setBackgroundPaint(Color.WHITE);
        return style(chart);
    }

    /**
     * A density curve filled below, e.g. the eigenvalue density of a Hessian from stochastic Lanczos
     * quadrature: {@code density[i]} at {@code x[i]}. With {@code logY} the density axis is logarithmic
     * (spectra span many decades); zero densities are then left out.
     */
    static JFreeChart density(String title, String xLabel, String yLabel, double[] x, double[] density, boolean logY) {
        if (x.length != density.length) {
            throw new IllegalArgumentException(x.length + " x values but " + density.length + " densities");
        }
        XYSeries s = new XYSeries(yLabel, false, true);
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(density[i]) && (!logY || density[i] > 0)) {
                s.add(x[i], density[i]);
            }
        }
        JFreeChart chart = ChartFactory.createXYAreaChart(title, xLabel, yLabel, new XYSeriesCollection(s),
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        if (logY) {
            // An area closes on y = 0, which a log axis cannot show: draw the curve alone.
            plot.setRangeAxis(logAxis(yLabel));
            XYLineAndShapeRenderer line = new XYLineAndShapeRenderer(true, false);
            line.setSeriesPaint(0, PALETTE[0]);
            line.setSeriesStroke(0, new BasicStroke(2f));
            plot.setRenderer(line);
            plot.setForegroundAlpha(1f);
        } else {
            XYAreaRenderer area = new XYAreaRenderer(XYAreaRenderer.AREA);
            area.setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4, 0x80));
            area.setOutline(true);
            area.setSeriesOutlinePaint(0, PALETTE[0]);
            plot.setRenderer(area);
        }
        return style(chart);
    }

    /** A logarithmic axis with ticks at whole decades, labelled 1E-3 rather than as fractional powers of ten. */
    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(1e-300);
        TickUnits decades = new TickUnits();
        for (int n : new int[] {1, 2, 5, 10, 20, 50, 100}) {
            decades.add(new NumberTickUnit(n));
        }
        axis.setStandardTickUnits(decades);
        axis.setNumberFormatOverride(new DecimalFormat("0E0", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        return axis;
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        TextTitle t = chart.getTitle();
        if (t != null) {
            t.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        }
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(GRID);
            plot.setRangeGridlinePaint(GRID);
            plot.setOutlineVisible(false);
        }
        return chart;
    }

    /** Writes the chart as SVG ({@code .svg}) or PNG ({@code .png}), {@value #WIDTH}×{@value #HEIGHT} pixels. */
    static void write(JFreeChart chart, Path file) throws IOException {
        write(chart, file, WIDTH, HEIGHT);
    }

    static void write(JFreeChart chart, Path file, int width, int height) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (name.endsWith(".svg")) {
            SVGGraphics2D g2 = new SVGGraphics2D(width, height);
            chart.draw(g2, new Rectangle2D.Double(0, 0, width, height));
            SVGUtils.writeToSVG(file.toFile(), g2.getSVGElement());
        } else if (name.endsWith(".png")) {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        } else {
            throw new IllegalArgumentException("chart file " + file + " must end in .svg or .png");
        }
    }
}
