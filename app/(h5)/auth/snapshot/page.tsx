import { Card } from "@/app/ui";

export default function SnapshotPage() {
  return (
    <div className="flex flex-1 flex-col justify-center gap-4">
      <Card>
        <div className="py-4 text-center">
          <h1 data-testid="snapshot-title" className="text-lg font-semibold">
            当前为快照页面
          </h1>
          <p className="mt-3 text-sm leading-6 text-neutral-600">
            你正在朋友圈中浏览页面快照，无法登录。
            <br />
            请点击屏幕下方的 <span className="font-medium text-neutral-900">“使用完整服务”</span>，打开完整页面后继续。
          </p>
        </div>
      </Card>
    </div>
  );
}
