export default function SnapshotPage() {
  return (
    <div className="weui-msg">
      <div className="weui-msg__icon-area">
        <i className="weui-icon-info-circle weui-icon_msg" aria-hidden="true" />
      </div>
      <div className="weui-msg__text-area">
        <h1 data-testid="snapshot-title" className="weui-msg__title">
          当前为快照页面
        </h1>
        <p className="weui-msg__desc">你正在朋友圈中浏览页面快照，无法登录。</p>
        <p className="weui-msg__desc">
          请点击屏幕下方的 <strong>“使用完整服务”</strong>，打开完整页面后继续。
        </p>
      </div>
    </div>
  );
}
